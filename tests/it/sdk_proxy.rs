//! `amlab serve --tls` as Azure for unmodified clients: the HTTPS proxy for Azure hosts, the
//! emulated Entra ID (client secret and certificate), token verification, the cloud metadata
//! document and the `--env-file`. The client is reqwest configured as the Python SDKs are by
//! the env file: `HTTPS_PROXY` and the CA bundle, nothing else.

use serde_json::{Value, json};

use crate::support::{Sandbox, Served};

/// The object id of the service principal `amlab serve` signs in (the `oid` of its tokens).
const SP_OBJECT_ID: &str = amlab::emulator::SERVICE_PRINCIPAL_OBJECT_ID;

const ARM: &str = "https://management.azure.com";
const LOGIN: &str = "https://login.microsoftonline.com";

/// A TLS server with its env file, and a runtime to drive reqwest.
struct Azure {
    served: Served,
    runtime: tokio::runtime::Runtime,
    _sb: Sandbox,
}

impl Azure {
    fn start(extra: &[&str]) -> Self {
        let sb = Sandbox::new();
        let ca = sb.path().join("ca.pem");
        let mut args = vec!["--tls", "--ca-out", ca.to_str().unwrap()];
        args.extend_from_slice(extra);
        Self {
            served: Served::start(&args),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            _sb: sb,
        }
    }

    fn env(&self, name: &str) -> &str {
        &self.served.env[name]
    }

    /// A client set up from the env file only: the proxy and the CA bundle (no public roots).
    fn client(&self) -> reqwest::Client {
        let pem = std::fs::read(self.env("REQUESTS_CA_BUNDLE")).unwrap();
        reqwest::Client::builder()
            .proxy(reqwest::Proxy::https(self.env("HTTPS_PROXY")).unwrap())
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap()
    }

    fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Value), reqwest::Error> {
        self.runtime.block_on(async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let text = response.text().await?;
            Ok((
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            ))
        })
    }

    fn token_with(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let url = format!("{LOGIN}/{}/oauth2/v2.0/token", self.env("AZURE_TENANT_ID"));
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            self.client()
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .unwrap()
    }

    /// A token for `scope` with the env file's client secret, as `EnvironmentCredential` gets it.
    fn secret_token(&self, scope: &str) -> (u16, Value) {
        self.token_with(&[
            ("grant_type", "client_credentials"),
            ("client_id", self.env("AZURE_CLIENT_ID")),
            ("client_secret", self.env("AZURE_CLIENT_SECRET")),
            ("scope", scope),
        ])
    }

    fn arm_get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client().get(format!("{ARM}{path}"));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        self.send(request).unwrap()
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn access_token(answer: &(u16, Value)) -> String {
    assert_eq!(answer.0, 200, "{}", answer.1);
    answer.1["access_token"].as_str().unwrap().to_owned()
}

#[test]
fn a_secret_token_then_arm_through_the_proxy() {
    let azure = Azure::start(&[]);
    // MSAL's first calls: instance discovery and the tenant's OpenID configuration.
    let tenant = azure.env("AZURE_TENANT_ID").to_owned();
    let (status, config) = azure
        .send(azure.client().get(format!(
            "{LOGIN}/{tenant}/v2.0/.well-known/openid-configuration"
        )))
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        config["token_endpoint"],
        format!("{LOGIN}/{tenant}/oauth2/v2.0/token")
    );
    let (status, keys) = azure
        .send(azure.client().get(config["jwks_uri"].as_str().unwrap()))
        .unwrap();
    assert_eq!(
        (status, keys["keys"][0]["kty"].as_str()),
        (200, Some("RSA"))
    );

    let token = access_token(&azure.secret_token("https://management.azure.com/.default"));
    let (status, subs) = azure.arm_get("/subscriptions?api-version=2022-12-01", Some(&token));
    assert_eq!(status, 200, "{subs}");
    assert_eq!(
        subs["value"][0]["subscriptionId"].as_str(),
        Some(azure.env("AZURE_SUBSCRIPTION_ID"))
    );
    // A write and a read of a resource, as the SDK would, with the CLI's audience too.
    let cli_token =
        access_token(&azure.secret_token("https://management.core.windows.net//.default"));
    let sub = azure.env("AZURE_SUBSCRIPTION_ID").to_owned();
    let rg = format!("/subscriptions/{sub}/resourcegroups/rg-sdk?api-version=2020-06-01");
    let (status, _) = azure
        .send(
            azure
                .client()
                .put(format!("{ARM}{rg}"))
                .bearer_auth(&cli_token)
                .json(&json!({"location": "eastus"})),
        )
        .unwrap();
    assert_eq!(status, 201);
    let (status, body) = azure.arm_get(&rg, Some(&token));
    assert_eq!((status, body["name"].as_str()), (200, Some("rg-sdk")));
    // The log shows the tunnels, and never the token.
    let log = azure.served.requests();
    assert!(
        log.contains(&("CONNECT".into(), "management.azure.com:443".into(), 200)),
        "{log:?}"
    );
    assert!(
        log.contains(&(
            "CONNECT".into(),
            "login.microsoftonline.com:443".into(),
            200
        )),
        "{log:?}"
    );
    let text = serde_json::to_string(&azure.served.get("/_emulator/requests")).unwrap();
    assert!(!text.contains(&token) && !text.contains(azure.env("AZURE_CLIENT_SECRET")));
}

#[test]
fn hosts_outside_the_list_are_refused_and_nothing_is_forwarded() {
    let azure = Azure::start(&[]);
    let err = azure
        .send(azure.client().get("https://example.com/"))
        .expect_err("refused");
    assert!(
        err.to_string().contains("proxy") || err.is_connect(),
        "{err}"
    );
    // A raw CONNECT gets the reason in words.
    use std::io::{Read, Write};
    let hostport = azure
        .env("HTTPS_PROXY")
        .trim_start_matches("http://")
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&hostport).unwrap();
    write!(
        stream,
        "CONNECT pypi.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n"
    )
    .unwrap();
    // Read until the reason arrives (headers and body may come in separate segments).
    let mut body_read = String::new();
    let mut buf = [0u8; 4096];
    while !body_read.contains("refused CONNECT") || !body_read.contains('\n') {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        body_read.push_str(&String::from_utf8_lossy(&buf[..n]));
        if body_read.contains("azureml.ms") {
            break;
        }
    }
    assert!(body_read.starts_with("HTTP/1.1 403"), "{body_read}");
    assert!(
        body_read.contains("refused CONNECT to pypi.org:443")
            && body_read.contains("management.azure.com"),
        "{body_read}"
    );
    // A listed data-plane host is answered by the emulator, which says plainly what it does not
    // emulate; Entra's hosts serve only the identity endpoints.
    let (status, body) = azure
        .send(
            azure
                .client()
                .get("https://kv-dp100abc.vault.azure.net/secrets/x?api-version=7.4"),
        )
        .unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (501, Some("NotEmulated")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("kv-dp100abc.vault.azure.net")
    );
    // Blob endpoints are emulated: an account that does not exist says so, in Azure's XML.
    let (status, body) = azure
        .send(
            azure
                .client()
                .get("https://stdp100abc.blob.core.windows.net/data?restype=container"),
        )
        .unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(
        body.as_str().is_some_and(
            |b| b.contains("<Code>ResourceNotFound</Code>") && b.contains("stdp100abc")
        ),
        "{body}"
    );
    let (status, _) = azure
        .send(
            azure
                .client()
                .get(format!("{LOGIN}/subscriptions?api-version=2022-12-01")),
        )
        .unwrap();
    assert_eq!(status, 404);
    let log = azure.served.requests();
    for host in ["example.com:443", "pypi.org:443"] {
        assert!(
            log.contains(&("CONNECT".into(), host.into(), 403)),
            "{host} logged: {log:?}"
        );
    }
}

#[test]
fn tokens_it_did_not_issue_or_for_another_audience_get_401() {
    let azure = Azure::start(&[]);
    let other = Azure::start(&[]);
    let path = "/subscriptions?api-version=2022-12-01";
    let (status, body) = azure.arm_get(path, None);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("AuthenticationFailed"))
    );
    // Issued by another server (another key), and tampered with.
    let foreign = access_token(&other.secret_token("https://management.azure.com/.default"));
    let mine = access_token(&azure.secret_token("https://management.azure.com/.default"));
    let parts: Vec<&str> = mine.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        foreign.rsplit('.').next().unwrap()
    );
    for token in [foreign.as_str(), tampered.as_str(), "forged"] {
        let (status, body) = azure.arm_get(path, Some(token));
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("InvalidAuthenticationToken")),
            "{body}"
        );
        assert!(!body.to_string().contains(token));
    }
    let storage = access_token(&azure.secret_token("https://storage.azure.com/.default"));
    let (status, body) = azure.arm_get(path, Some(&storage));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationTokenAudience"))
    );
    assert_eq!(azure.arm_get(path, Some(&mine)).0, 200);
    // A wrong secret and an unknown client are refused as Entra does.
    let (status, body) = azure.token_with(&[
        ("grant_type", "client_credentials"),
        ("client_id", azure.env("AZURE_CLIENT_ID")),
        ("client_secret", other.env("AZURE_CLIENT_SECRET")),
        ("scope", "https://management.azure.com/.default"),
    ]);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215")
    );
    let (status, body) = azure.token_with(&[
        ("grant_type", "client_credentials"),
        ("client_id", "00000000-0000-0000-0000-000000000000"),
        ("client_secret", azure.env("AZURE_CLIENT_SECRET")),
        ("scope", "https://management.azure.com/.default"),
    ]);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
}

/// A self-signed RSA client certificate (PEM) and the PEM of its key.
fn client_certificate() -> (String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["amlab-learner".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A client assertion as MSAL makes it: RS256, `x5t`, aud = the token endpoint.
fn assertion(key_pem: &str, client_id: &str, aud: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"aud": aud, "iss": client_id, "sub": client_id, "jti": "j1",
        "nbf": now, "exp": now + 600});
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.x5t = Some("dGh1bWJwcmludA".into());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

#[test]
fn a_certificate_credential_signs_in() {
    let sb = Sandbox::new();
    let (cert, key) = client_certificate();
    let (_, stranger) = client_certificate();
    let cert_path = sb.write("client-cert.pem", &cert);
    let azure = Azure::start(&["--client-cert", cert_path.to_str().unwrap()]);
    let client_id = azure.env("AZURE_CLIENT_ID").to_owned();
    let aud = format!("{LOGIN}/{}/oauth2/v2.0/token", azure.env("AZURE_TENANT_ID"));
    let form = |assertion: &str| {
        azure.token_with(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", "https://management.azure.com/.default"),
        ])
    };
    let token = access_token(&form(&assertion(&key, &client_id, &aud)));
    assert_eq!(
        azure
            .arm_get("/subscriptions?api-version=2022-12-01", Some(&token))
            .0,
        200
    );
    for bad in [
        assertion(&stranger, &client_id, &aud),
        assertion(
            &key,
            &client_id,
            "https://login.microsoftonline.com/x/oauth2/v2.0/token",
        ),
    ] {
        let (status, body) = form(&bad);
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{body}"
        );
    }
}

#[test]
fn cloud_metadata_needs_no_token() {
    let azure = Azure::start(&[]);
    let (status, body) = azure.arm_get("/metadata/endpoints?api-version=2022-09-01", None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["resourceManager"], "https://management.azure.com/");
    assert_eq!(body[0]["name"], "AzureCloud");
    // Directly at the server (ARM_CLOUD_METADATA_URL): the server's own URLs.
    let url = azure.env("ARM_CLOUD_METADATA_URL").to_owned();
    let pem = std::fs::read(azure.env("REQUESTS_CA_BUNDLE")).unwrap();
    let direct = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let (status, body) = azure.send(direct.get(&url)).unwrap();
    assert_eq!(status, 200);
    let base = url.split("/metadata").next().unwrap();
    assert_eq!(body[0]["resourceManager"], format!("{base}/"));
    assert_eq!(body[0]["authentication"]["loginEndpoint"], base);
}

#[test]
fn the_env_file_is_complete_and_its_secret_never_printed() {
    use std::io::BufRead;
    let sb = Sandbox::new();
    let env_path = sb.path().join("azure.env");
    let ca = sb.path().join("ca.pem");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"))
        .args(["serve", "--addr", "127.0.0.1:0", "--tls", "--ca-out"])
        .arg(&ca)
        .arg("--env-file")
        .arg(&env_path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    for _ in 0..3 {
        out.read_line(&mut printed).unwrap();
    }
    let _ = child.kill();
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let _ = child.wait();
    let env = crate::support::read_env_file(&env_path);
    for name in [
        "HTTPS_PROXY",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_SUBSCRIPTION_ID",
        "ARM_CLOUD_METADATA_URL",
    ] {
        assert!(env.contains_key(name), "{name} missing: {env:?}");
    }
    assert_eq!(
        std::fs::read_to_string(&env["REQUESTS_CA_BUNDLE"]).unwrap(),
        std::fs::read_to_string(&ca).unwrap()
    );
    assert!(printed.contains("environment: "), "{printed}");
    let secret = &env["AZURE_CLIENT_SECRET"];
    assert!(secret.len() >= 32);
    assert!(!printed.contains(secret.as_str()) && !err.contains(secret.as_str()));
}

#[test]
fn amlab_itself_targets_azure_through_the_proxy_with_the_env_file() {
    // amlab's own Azure path, unmodified: `--target azure`, `--auth` auto (the service principal
    // of the env file), HTTPS_PROXY and SSL_CERT_FILE. Everything reaches the emulator.
    let azure = Azure::start(&[]);
    let sb = Sandbox::new();
    let lab = crate::support::test_lab("workspace.lab.yaml");
    for mode in ["run", "check"] {
        let out = sb
            .amlab(&[mode, lab.to_str().unwrap(), "--target", "azure"])
            .args(["--var", "suffix=viaprx"])
            .envs(&azure.served.env)
            .output()
            .unwrap();
        let text = crate::support::stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode}: {text}{}",
            crate::support::stderr(&out)
        );
        assert!(
            !text.contains(azure.env("AZURE_CLIENT_SECRET")),
            "the secret is not printed"
        );
    }
    let log = azure.served.requests();
    assert!(log.contains(&("CONNECT".into(), "management.azure.com:443".into(), 200)));
    assert!(log.contains(&(
        "CONNECT".into(),
        "login.microsoftonline.com:443".into(),
        200
    )));
    let sub = azure.env("AZURE_SUBSCRIPTION_ID").to_owned();
    assert!(
        log.iter()
            .any(|(m, p, s)| m == "PUT" && p.contains(&sub) && *s < 300),
        "resources were created in the emulator's subscription: {log:?}"
    );
}

#[test]
fn a_user_signs_in_and_refreshes() {
    // The Azure CLI's public client, the resource owner password grant, then its refresh token.
    const AZ_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    let azure = Azure::start(&[]);
    let other = Azure::start(&[]);
    let scope = "https://management.core.windows.net//.default offline_access openid profile";
    let signed_in = azure.token_with(&[
        ("grant_type", "password"),
        ("client_id", AZ_CLI),
        ("username", azure.env("AZURE_USERNAME")),
        ("password", azure.env("AZURE_PASSWORD")),
        ("scope", scope),
        ("client_info", "1"),
    ]);
    let access = access_token(&signed_in);
    assert!(signed_in.1["id_token"].is_string() && signed_in.1["client_info"].is_string());
    let path = "/subscriptions?api-version=2022-12-01";
    assert_eq!(azure.arm_get(path, Some(&access)).0, 200);
    let refresh_token = signed_in.1["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = azure.token_with(&[
        ("grant_type", "refresh_token"),
        ("client_id", AZ_CLI),
        ("refresh_token", &refresh_token),
        ("scope", scope),
    ]);
    assert_eq!(azure.arm_get(path, Some(&access_token(&refreshed))).0, 200);
    // A wrong password, another server's refresh token, another client: refused.
    let (status, body) = azure.token_with(&[
        ("grant_type", "password"),
        ("client_id", AZ_CLI),
        ("username", azure.env("AZURE_USERNAME")),
        ("password", other.env("AZURE_PASSWORD")),
        ("scope", scope),
    ]);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let foreign_signin = other.token_with(&[
        ("grant_type", "password"),
        ("client_id", AZ_CLI),
        ("username", other.env("AZURE_USERNAME")),
        ("password", other.env("AZURE_PASSWORD")),
        ("scope", scope),
    ]);
    let foreign = foreign_signin.1["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (client, token) in [
        (AZ_CLI, foreign.as_str()),
        (azure.env("AZURE_CLIENT_ID"), &refresh_token),
        (AZ_CLI, access.as_str()),
    ] {
        let (status, body) = azure.token_with(&[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", token),
            ("scope", scope),
        ]);
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
}

/// The Search data plane through the proxy, as azure-search-documents reaches it: the
/// service's endpoint from ARM, an admin key from `listAdminKeys`, then
/// `https://{service}.search.windows.net` with `api-key`, or an Entra token for
/// `https://search.azure.com` (an ARM token is refused there).
#[test]
fn the_search_data_plane_through_the_proxy() {
    let azure = Azure::start(&["--provisioning-delay", "0ms"]);
    let token = access_token(&azure.secret_token("https://management.azure.com/.default"));
    let sub = azure.env("AZURE_SUBSCRIPTION_ID").to_owned();
    let rg = format!("{ARM}/subscriptions/{sub}/resourcegroups/rg-search");
    let put = |url: String, body: Value| {
        azure
            .send(azure.client().put(url).bearer_auth(&token).json(&body))
            .unwrap()
    };
    put(
        format!("{rg}?api-version=2024-03-01"),
        json!({"location": "eastus"}),
    );
    let svc = format!("{rg}/providers/Microsoft.Search/searchServices/srch-proxy");
    let (status, created) = put(
        format!("{svc}?api-version=2025-05-01"),
        json!({"location": "eastus", "sku": {"name": "basic"},
               "properties": {"authOptions": {"aadOrApiKey": {"aadAuthFailureMode": "http401WithBearerChallenge"}}}}),
    );
    assert_eq!(status, 201, "{created}");
    let endpoint = created["properties"]["endpoint"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    assert_eq!(endpoint, "https://srch-proxy.search.windows.net");
    let (status, keys) = azure
        .send(
            azure
                .client()
                .post(format!("{svc}/listAdminKeys?api-version=2025-05-01"))
                .bearer_auth(&token),
        )
        .unwrap();
    assert_eq!(status, 200, "{keys}");
    let key = keys["primaryKey"].as_str().unwrap().to_owned();
    let index =
        json!({"name": "hotels", "fields": [{"name": "id", "type": "Edm.String", "key": true}]});
    let url = format!("{endpoint}/indexes('hotels')?api-version=2025-09-01");
    let (status, body) = azure
        .send(
            azure
                .client()
                .put(&url)
                .header("api-key", &key)
                .json(&index),
        )
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let search_token = access_token(&azure.secret_token("https://search.azure.com/.default"));
    let (status, body) = azure
        .send(azure.client().get(&url).bearer_auth(&search_token))
        .unwrap();
    assert_eq!(status, 403, "no role on the service yet: {body}");
    assert!(
        body.to_string().contains("Search Service Contributor"),
        "{body}"
    );
    let role = format!(
        "{svc}/providers/Microsoft.Authorization/roleAssignments/7ca78c08-0000-4000-8000-000000000002?api-version=2022-04-01"
    );
    let (status, body) = put(
        role,
        json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/7ca78c08-252a-4471-8644-bb5ff32d4ba0"),
            "principalId": SP_OBJECT_ID}}),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = azure
        .send(azure.client().get(&url).bearer_auth(&search_token))
        .unwrap();
    assert_eq!(
        (status, body["name"].as_str()),
        (200, Some("hotels")),
        "{body}"
    );
    let (status, _) = azure
        .send(azure.client().get(&url).bearer_auth(&token))
        .unwrap();
    assert_eq!(status, 401, "an ARM token is for another audience");
    let (status, _) = azure.send(azure.client().get(&url)).unwrap();
    assert_eq!(status, 401, "no credential: the service's bearer challenge");
    let log = azure.served.requests();
    assert!(log.contains(&(
        "CONNECT".into(),
        "srch-proxy.search.windows.net:443".into(),
        200
    )));
    let text = format!("{log:?}");
    assert!(!text.contains(&key) && !text.contains(&search_token));
}

/// The knowledge-mining lab through `amlab serve --tls` with `--target azure`: the data plane
/// is reached at `https://{service}.search.windows.net` through the proxy, with an admin key
/// (the index step with an Entra token for `https://search.azure.com`, which the server
/// verifies), and no key the server issued ever reaches the terminal, a report or a fixture.
#[test]
fn the_knowledge_mining_lab_through_the_proxy_keeps_every_key_secret() {
    let azure = Azure::start(&["--provisioning-delay", "10ms"]);
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(
        crate::support::repo().join("labs/ai103/search-01-knowledge-mining.lab.yaml"),
    )
    .unwrap();
    let text = text
        .replacen("      path: /indexes/margies-index\n", "      path: /indexes/margies-index\n      auth: entra\n", 1)
        // An Entra caller needs a role: Search Service Contributor for the signed-in principal.
        .replacen(
            "  - id: index\n    title: The index margies-index with the enriched fields\n    needs: [search]\n",
            &format!("  - id: search-role\n    title: Search Service Contributor for the signed-in principal\n    needs: [search]\n    resource: \"${{search_id}}/providers/Microsoft.Authorization/roleAssignments/7ca78c08-0000-4000-8000-000000000001\"\n    create:\n      body:\n        properties:\n          roleDefinitionId: /subscriptions/${{subscription}}/providers/Microsoft.Authorization/roleDefinitions/7ca78c08-252a-4471-8644-bb5ff32d4ba0\n          principalId: {SP_OBJECT_ID}\n    expect:\n      - {{query: properties.principalId, equals: {SP_OBJECT_ID}}}\n\n  - id: index\n    title: The index margies-index with the enriched fields\n    needs: [search-role]\n"),
            1,
        )
        .replacen(
            "          partitionCount: 1\n",
            "          partitionCount: 1\n          authOptions: {aadOrApiKey: {aadAuthFailureMode: http401WithBearerChallenge}}\n",
            1,
        );
    let lab = sb.write("km.lab.yaml", &text);
    let mut printed = String::new();
    for args in [
        vec!["run"],
        vec![
            "check",
            "--record",
            "rec",
            "--report",
            "json=r.json",
            "--report",
            "junit=r.xml",
        ],
    ] {
        let out = sb
            .amlab(
                &[
                    &args[..1],
                    &[
                        lab.to_str().unwrap(),
                        "--target",
                        "azure",
                        "--var",
                        "suffix=viakm1",
                    ],
                    &args[1..],
                ]
                .concat(),
            )
            .envs(&azure.served.env)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            crate::support::stdout(&out),
            crate::support::stderr(&out)
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}: {text}");
        printed.push_str(&text);
    }
    let log = azure.served.requests();
    assert!(log.contains(&(
        "CONNECT".into(),
        "srch-km-viakm1.search.windows.net:443".into(),
        200
    )));
    assert!(
        log.iter()
            .any(|(m, p, s)| m == "GET" && p.starts_with("/indexes/margies-index?") && *s == 200)
    );
    let issued = azure.served.get("/_emulator/secrets");
    let secrets: Vec<&str> = issued
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        secrets.iter().filter(|s| s.len() == 52).count() >= 3,
        "search keys were issued"
    );
    let mut written = printed;
    for file in ["r.json", "r.xml"] {
        written.push_str(&std::fs::read_to_string(sb.path().join(file)).unwrap());
    }
    for entry in walk(&sb.path().join("rec")) {
        written.push_str(&std::fs::read_to_string(entry).unwrap());
    }
    for secret in secrets {
        assert!(!written.contains(secret), "an issued secret leaked");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
