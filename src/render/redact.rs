//! Secrets kept out of what alertctl prints.
//!
//! The values of secret properties (passwords, secrets, JAAS configs, tokens, key
//! passwords) and the passwords in registry URLs are noted as they are read; every
//! error and warning line is passed through [`redact`] before it is printed, so a
//! library's message that echoes a value (librdkafka's does) cannot show one.

use std::sync::Mutex;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shortest value masked: shorter ones would mask ordinary words in messages.
const SHORTEST: usize = 4;

/// Whether a configuration key holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "pas",
        "pwd",
        "secret",
        "jaas",
        "token",
        "oauthbearer.config",
        "credential",
        "key.pem",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// Note a secret value, to be masked wherever it would be printed.
pub fn note(secret: &str) {
    if secret.len() >= SHORTEST {
        let mut all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
        if !all.iter().any(|s| s == secret) {
            all.push(secret.to_string());
        }
    }
}

/// `text` with every noted secret replaced by `***`.
pub fn redact(text: &str) -> String {
    let all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    // Longest first, so a secret containing another is masked whole.
    let mut sorted: Vec<&String> = all.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in sorted {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_wherever_they_appear() {
        assert!(is_secret_key("sasl.password") && is_secret_key("sasl.pasword"));
        assert!(is_secret_key("sasl.jaas.config") && is_secret_key("ssl.key.password"));
        assert!(!is_secret_key("security.protocol") && !is_secret_key("sasl.username"));
        note("hunter2-x");
        note("abc"); // too short to mask
        assert_eq!(
            redact("property sasl.pasword hunter2-x rejected"),
            "property sasl.pasword *** rejected"
        );
        assert_eq!(redact("abc"), "abc");
    }
}
