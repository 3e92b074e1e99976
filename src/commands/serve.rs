//! `amlab serve`: opens the emulator, binds the listener, prints where it listens, serves until
//! Ctrl-C.

use std::io::Write;
use std::sync::Arc;

use super::Io;
use crate::cli::ServeArgs;
use crate::emulator::{Emulator, EmulatorOptions};
use crate::error::CommandError;
use crate::exit;
use crate::serve::env_file;
use crate::serve::faults::{FaultOptions, Faults};
use crate::serve::identity::Identity;
use crate::serve::{Server, base_url, serve, serve_tls, tls};

/// Refuses an address other than loopback without `--allow-remote`, and warns with it: the
/// `/_emulator/*` endpoints answer anyone, without a token.
fn check_bind(args: &ServeArgs, io: &mut Io) -> Result<(), CommandError> {
    if args.addr.ip().is_loopback() {
        return Ok(());
    }
    if !args.allow_remote {
        return Err(CommandError::Usage(format!(
            "--addr {} is not a loopback address: other machines could reach the emulator, and \
             /_emulator/secrets and /_emulator/requests answer without a token; listen on \
             127.0.0.1 (or [::1]), or add --allow-remote if that is what you want",
            args.addr
        )));
    }
    writeln!(
        io.stderr,
        "amlab serve: warning: listening on {} (--allow-remote): anyone who can reach it can \
         read the emulator's secrets at /_emulator/secrets and every request at \
         /_emulator/requests, without a token",
        args.addr
    )?;
    Ok(())
}

/// Runs the server until Ctrl-C.
pub(super) fn run(args: &ServeArgs, io: &mut Io) -> Result<i32, CommandError> {
    check_bind(args, io)?;
    let emulator = Emulator::open(EmulatorOptions {
        state_path: args.state.clone(),
        fresh: args.fresh,
        read_only: false,
        provisioning_delay: args.provisioning_delay,
    })
    .map_err(|e| CommandError::Target(e.to_string()))?;
    let faults = Faults::new(
        FaultOptions {
            latency: args.latency,
            throttle: args.throttle,
            error_rate: args.error_rate,
            drop_rate: args.drop_rate,
            hang_after: args.hang_after,
            retry_after: args.retry_after,
        },
        args.seed,
    );
    let mut identity =
        Identity::generate().map_err(|e| CommandError::Target(format!("identity: {e}")))?;
    for path in &args.client_cert {
        let pem = std::fs::read(path)
            .map_err(|e| CommandError::Usage(format!("--client-cert {}: {e}", path.display())))?;
        identity
            .add_certificate(&path.display().to_string(), &pem)
            .map_err(|e| CommandError::Usage(e.to_string()))?;
    }
    let server = Arc::new(Server::new(emulator, faults, args.tls, identity));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| CommandError::Usage(format!("cannot listen on {}: {e}", args.addr)))?;
        let addr = listener.local_addr()?;
        if args.fresh {
            // Opening wrote nothing; with the address bound, --fresh empties the state file.
            server
                .flush_state()
                .map_err(|e| CommandError::Target(e.to_string()))?;
        }
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        if args.tls {
            let identity = tls::generate(addr.ip())
                .map_err(|e| CommandError::Target(format!("TLS certificate: {e}")))?;
            tls::write_ca(&identity, &args.ca_out)?;
            write_env_file(args, &server, addr, true)?;
            writeln!(io.stdout, "listening on {}", base_url(addr, true))?;
            writeln!(
                io.stdout,
                "CA certificate: {} (trust it with --ca-cert)",
                args.ca_out.display()
            )?;
            say_env_file(args, io)?;
            io.stdout.flush()?;
            serve_tls(listener.into_std()?, server, identity, stop).await?;
        } else {
            write_env_file(args, &server, addr, false)?;
            writeln!(io.stdout, "listening on {}", base_url(addr, false))?;
            say_env_file(args, io)?;
            io.stdout.flush()?;
            serve(listener, server, stop).await?;
        }
        writeln!(io.stderr, "amlab serve: shut down")?;
        Ok(exit::OK)
    })
}

/// Writes `--env-file` (if given), before the server says it listens.
fn write_env_file(
    args: &ServeArgs,
    server: &Server,
    addr: std::net::SocketAddr,
    tls: bool,
) -> Result<(), CommandError> {
    let Some(path) = &args.env_file else {
        return Ok(());
    };
    let ca = env_file::absolute(&args.ca_out);
    let file = env_file::EnvFile {
        addr,
        ca: tls.then_some(ca.as_path()),
        client_secret: server.identity().client_secret(),
        user_password: server.identity().user_password(),
    };
    file.write(path)
        .map_err(|e| CommandError::Usage(format!("--env-file {}: {e}", path.display())))
}

/// Says where the environment file is, never what it holds (the client secret).
fn say_env_file(args: &ServeArgs, io: &mut Io) -> Result<(), CommandError> {
    if let Some(path) = &args.env_file {
        writeln!(
            io.stdout,
            "environment: {} (source it: . {})",
            path.display(),
            path.display()
        )?;
    }
    Ok(())
}
