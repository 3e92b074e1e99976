//! The `amlab` binary: a thin shell over [`amlab::run`].
fn main() {
    std::process::exit(amlab::run());
}
