//! Durations the way the SDK sends them: seconds (or minutes) from YAML to ISO 8601, formatted
//! like Python's `isodate.duration_isoformat` (`120` -> `PT2M`, `7200` -> `PT2H`, `90` -> `PT1M30S`).

/// ISO 8601 for a whole number of seconds, with days split off as isodate does (`P1DT2H`).
pub(crate) fn iso_seconds(seconds: i64) -> String {
    if seconds == 0 {
        return "P0D".to_owned();
    }
    let neg = seconds < 0;
    let mut s = seconds.unsigned_abs();
    let days = s / 86_400;
    s %= 86_400;
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = String::from(if neg { "-P" } else { "P" });
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h + m + sec > 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 {
            out.push_str(&format!("{sec}S"));
        }
    }
    out
}

/// ISO 8601 for milliseconds (request settings): whole seconds, or fractional like isodate.
pub(crate) fn iso_millis(ms: i64) -> String {
    if ms % 1000 == 0 {
        return iso_seconds(ms / 1000);
    }
    let whole = iso_seconds(ms / 1000 / 60 * 60);
    let rest = (ms % 60_000) as f64 / 1000.0;
    let base = if whole == "P0D" {
        "PT".to_owned()
    } else if whole.contains('T') {
        whole
    } else {
        format!("{whole}T")
    };
    format!("{base}{rest}S")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_isodate() {
        assert_eq!(iso_seconds(120), "PT2M");
        assert_eq!(iso_seconds(7200), "PT2H");
        assert_eq!(iso_seconds(90), "PT1M30S");
        assert_eq!(iso_seconds(10_800), "PT3H");
        assert_eq!(iso_seconds(90_000), "P1DT1H");
        assert_eq!(iso_seconds(0), "P0D");
        assert_eq!(iso_millis(90_000), "PT1M30S");
        assert_eq!(iso_millis(500), "PT0.5S");
    }
}
