//! Timestamps for formats that need one (ASFF `CreatedAt`, OCSF `time`): UTC, from seconds
//! since the Unix epoch, without a calendar crate.

/// `2026-12-06T04:13:27.000Z`: RFC 3339 in UTC with milliseconds, one of the timestamp forms
/// Security Hub accepts (Security Hub API Reference, "Timestamps").
pub fn rfc3339_millis(epoch_millis: u64) -> String {
    let secs = epoch_millis / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        epoch_millis % 1000
    )
}

/// Milliseconds since the Unix epoch now (0 if the clock is before 1970).
pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        // 2000-02-29 (a leap day in a century leap year) 12:34:56.789
        assert_eq!(rfc3339_millis(951_827_696_789), "2000-02-29T12:34:56.789Z");
        assert_eq!(
            rfc3339_millis(1_796_530_407_000),
            "2026-12-06T04:13:27.000Z"
        );
    }
}
