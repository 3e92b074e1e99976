//! Tests of token issue and verification, with a clock the test moves.

use std::sync::atomic::{AtomicU64, Ordering};

use super::*;

static EXPIRY_CLOCK: AtomicU64 = AtomicU64::new(1_800_000_000);

fn expiry_clock() -> u64 {
    EXPIRY_CLOCK.load(Ordering::SeqCst)
}

fn identity() -> Identity {
    Identity::generate().unwrap_or_else(|e| panic!("{e}"))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn issued_tokens_verify_for_both_arm_audiences() {
    let id = identity();
    for aud in [
        "https://management.azure.com",
        "https://management.core.windows.net/",
    ] {
        let (token, _) = id.issue(aud, "1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.verify(Some(&bearer(&token))), Ok(()));
        assert_eq!(id.verify(Some(&format!("bearer {token}"))), Ok(()));
    }
}

#[test]
fn expired_tokens_are_refused_as_arm_does() {
    let id = Identity::with_clock(expiry_clock).unwrap_or_else(|e| panic!("{e}"));
    let (token, _) = id
        .issue("https://management.azure.com", "1")
        .unwrap_or_else(|e| panic!("{e}"));
    // Within the lifetime plus ARM's five minutes of skew: accepted.
    EXPIRY_CLOCK.fetch_add(TOKEN_LIFETIME_S + LEEWAY_S, Ordering::SeqCst);
    assert_eq!(id.verify(Some(&bearer(&token))), Ok(()));
    EXPIRY_CLOCK.fetch_add(1, Ordering::SeqCst);
    let refusal = id.verify(Some(&bearer(&token))).expect_err("expired");
    assert_eq!(refusal.code, "ExpiredAuthenticationToken");
    assert!(refusal.message.contains("is earlier than current UTC time"));
    assert!(!refusal.message.contains(&token));
}

#[test]
fn tokens_for_another_audience_are_refused() {
    let id = identity();
    let (token, _) = id
        .issue("https://storage.azure.com", "1")
        .unwrap_or_else(|e| panic!("{e}"));
    let refusal = id.verify(Some(&bearer(&token))).expect_err("audience");
    assert_eq!(refusal.code, "InvalidAuthenticationTokenAudience");
    assert!(refusal.message.contains("'https://storage.azure.com'"));
}

#[test]
fn tokens_it_did_not_issue_are_refused() {
    let id = identity();
    let other = identity();
    let (foreign, _) = other
        .issue("https://management.azure.com", "1")
        .unwrap_or_else(|e| panic!("{e}"));
    let (mine, _) = id
        .issue("https://management.azure.com", "1")
        .unwrap_or_else(|e| panic!("{e}"));
    // Another key; the right header with another key's signature; a tampered payload.
    let parts: Vec<&str> = mine.split('.').collect();
    let foreign_parts: Vec<&str> = foreign.split('.').collect();
    let resigned = format!("{}.{}.{}", parts[0], parts[1], foreign_parts[2]);
    let tampered = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    for token in [foreign.as_str(), &resigned, &tampered, "not-a-jwt", "a.b.c"] {
        let refusal = id.verify(Some(&bearer(token))).expect_err(token);
        assert_eq!(refusal.code, "InvalidAuthenticationToken", "{token}");
    }
    assert_eq!(
        id.verify(None).map_err(|r| r.code),
        Err("AuthenticationFailed")
    );
    assert_eq!(
        id.verify(Some(&mine)).map_err(|r| r.code),
        Err("AuthenticationFailed")
    );
}

#[test]
fn client_secret_is_random_shaped_and_compared_exactly() {
    let a = identity();
    let b = identity();
    assert_ne!(a.client_secret(), b.client_secret());
    assert_eq!(a.client_secret().len(), 40);
    assert!(a.secret_matches(a.client_secret()));
    assert!(!a.secret_matches(b.client_secret()));
    assert!(!a.secret_matches(""));
}

/// A self-signed RSA certificate and an assertion signed with its key.
fn certificate() -> (String, EncodingKey) {
    let key =
        rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap_or_else(|e| panic!("{e}"));
    let cert = rcgen::CertificateParams::new(vec!["amlab-client".to_owned()])
        .and_then(|p| p.self_signed(&key))
        .unwrap_or_else(|e| panic!("{e}"));
    let signing =
        EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    (cert.pem(), signing)
}

fn assertion(key: &EncodingKey, alg: Algorithm, aud: &str, iss: &str, exp: u64) -> String {
    let claims =
        json!({"aud": aud, "iss": iss, "sub": iss, "exp": exp, "nbf": exp - 600, "jti": "1"});
    jsonwebtoken::encode(&Header::new(alg), &claims, key).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn client_assertions_verify_against_registered_certificates_only() {
    let mut id = identity();
    let (pem, key) = certificate();
    let (_, unregistered) = certificate();
    id.add_certificate("client.pem", pem.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let aud = "https://login.microsoftonline.com/t/oauth2/v2.0/token".to_owned();
    let auds = [aud.clone()];
    let exp = system_now() + 600;
    assert!(id.assertion_valid(
        &assertion(&key, Algorithm::RS256, &aud, CLIENT_ID, exp),
        &auds
    ));
    assert!(id.assertion_valid(
        &assertion(&key, Algorithm::PS256, &aud, CLIENT_ID, exp),
        &auds
    ));
    assert!(!id.assertion_valid(
        &assertion(&unregistered, Algorithm::RS256, &aud, CLIENT_ID, exp),
        &auds
    ));
    assert!(!id.assertion_valid(
        &assertion(
            &key,
            Algorithm::RS256,
            "https://elsewhere/token",
            CLIENT_ID,
            exp
        ),
        &auds
    ));
    assert!(!id.assertion_valid(
        &assertion(&key, Algorithm::RS256, &aud, "someone", exp),
        &auds
    ));
    assert!(!id.assertion_valid(
        &assertion(&key, Algorithm::RS256, &aud, CLIENT_ID, exp - 2000),
        &auds
    ));
    assert!(
        id.add_certificate(
            "junk.pem",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .is_err()
    );
}

#[test]
fn forms_decode() {
    let f = parse_form(b"grant_type=client_credentials&scope=https%3A%2F%2Fx%2F.default+y&k");
    assert_eq!(f[0], ("grant_type".into(), "client_credentials".into()));
    assert_eq!(f[1].1, "https://x/.default y");
    assert_eq!(f[2], ("k".into(), String::new()));
}
