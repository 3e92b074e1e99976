//! "Did you mean ...?" suggestions: the nearest valid name to a misspelt one.

/// The candidate closest to `word` (optimal string alignment distance), if it is close enough
/// to be a plausible typo: at most one edit per three characters, and at least one; ties go to
/// the candidate most alike by Jaro-Winkler similarity.
pub(crate) fn nearest<'a, I, S>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    let limit = word.chars().count().div_ceil(3).max(1);
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(AsRef::as_ref)
        .filter(|c| *c != word)
        .map(|c| {
            let other = c.to_lowercase();
            let d = strsim::osa_distance(&lower, &other);
            (d, strsim::jaro_winkler(&lower, &other), c)
        })
        .filter(|(d, _, _)| *d <= limit)
        // Fewest edits first; among equals, the most similar (shared prefix counts most).
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, c)| c)
}

/// `did you mean `x`?` for the nearest candidate, if any.
pub(crate) fn did_you_mean<'a, I, S>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Names as a readable list: `` `a`, `b`, `c` ``.
pub(crate) fn list<'a, I, S>(names: I) -> String
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    names
        .into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["id", "title", "description", "steps"];
        assert_eq!(nearest("titel", &fields), Some("title"));
        assert_eq!(nearest("setps", &fields), Some("steps"));
        assert_eq!(nearest("zzzzzz", &fields), None);
        assert_eq!(nearest("c", &["a", "c2"]), Some("c2"));
        assert_eq!(
            did_you_mean("lenght", &["length", "keys"]).as_deref(),
            Some("did you mean `length`?")
        );
        assert_eq!(list(&["a", "b"]), "`a`, `b`");
    }
}
