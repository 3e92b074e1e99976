//! The blob data plane behind `amlab serve --tls`: a storage account created through ARM,
//! then its blob endpoint `https://{account}.blob.core.windows.net` reached through the proxy
//! with the account key (SharedKey, signed here as azure-storage-blob signs), a SAS, and an
//! Entra token for storage; the request log keeps SAS requests without their signature.

use serde_json::{Value, json};

use crate::support::{Sandbox, Served};
use amlab::emulator::blob::sign;

const ARM: &str = "https://management.azure.com";
const LOGIN: &str = "https://login.microsoftonline.com";
const BLOB: &str = "https://stproxy.blob.core.windows.net";

struct Azure {
    served: Served,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    _sb: Sandbox,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl Azure {
    fn start() -> Self {
        let sb = Sandbox::new();
        let ca = sb.path().join("ca.pem");
        let served = Served::start(&["--tls", "--ca-out", ca.to_str().unwrap()]);
        let pem = std::fs::read(&served.env["REQUESTS_CA_BUNDLE"]).unwrap();
        let client = reqwest::Client::builder()
            .proxy(reqwest::Proxy::https(&served.env["HTTPS_PROXY"]).unwrap())
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            served,
            runtime,
            client,
            _sb: sb,
        }
    }

    fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.runtime.block_on(async {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap().to_vec();
            Answer {
                status,
                headers,
                body,
            }
        })
    }

    fn token(&self, scope: &str) -> String {
        let url = format!(
            "{LOGIN}/{}/oauth2/v2.0/token",
            self.served.env["AZURE_TENANT_ID"]
        );
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            self.served.env["AZURE_CLIENT_ID"],
            self.served.env["AZURE_CLIENT_SECRET"],
            scope.replace(':', "%3A").replace('/', "%2F")
        );
        let a = self.send(
            self.client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        );
        assert_eq!(a.status, 200, "{}", a.text());
        let v: Value = serde_json::from_slice(&a.body).unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// A resource group and the account `stproxy` through ARM; its key1 from listKeys.
    fn account(&self) -> String {
        let token = self.token("https://management.azure.com/.default");
        let rg = format!(
            "{ARM}/subscriptions/{}/resourceGroups/rg-blob",
            self.served.env["AZURE_SUBSCRIPTION_ID"]
        );
        let put = |url: String, body: Value| {
            self.send(self.client.put(url).bearer_auth(&token).json(&body))
                .status
        };
        assert_eq!(
            put(
                format!("{rg}?api-version=2021-04-01"),
                json!({"location": "eastus"})
            ),
            201
        );
        let st = format!("{rg}/providers/Microsoft.Storage/storageAccounts/stproxy");
        let created = put(
            format!("{st}?api-version=2023-01-01"),
            json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
        );
        assert_eq!(created, 202);
        let keys = self.send(
            self.client
                .post(format!("{st}/listKeys?api-version=2023-01-01"))
                .bearer_auth(&token),
        );
        let v: Value = serde_json::from_slice(&keys.body).unwrap();
        v["keys"][0]["value"].as_str().unwrap().to_owned()
    }

    /// A SharedKey-signed request to the blob endpoint.
    fn signed(
        &self,
        key: &str,
        method: reqwest::Method,
        path_query: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let mut headers: Vec<(String, String)> = vec![
            ("x-ms-version".into(), "2025-11-05".into()),
            ("x-ms-date".into(), date),
        ];
        if !body.is_empty() {
            headers.push(("Content-Length".into(), body.len().to_string()));
        }
        headers.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let text = sign::shared_key_string(method.as_str(), &headers, "stproxy", path, &pairs);
        let sig = sign::sign(key, &text).unwrap();
        let mut request = self.client.request(method, format!("{BLOB}{path_query}"));
        for (k, v) in &headers {
            if !k.eq_ignore_ascii_case("content-length") {
                request = request.header(k.as_str(), v.as_str());
            }
        }
        self.send(
            request
                .header("Authorization", format!("SharedKey stproxy:{sig}"))
                .body(body.to_vec()),
        )
    }
}

#[test]
fn blobs_go_through_the_proxy_with_keys_sas_and_tokens() {
    let azure = Azure::start();
    let key = azure.account();
    let put = reqwest::Method::PUT;
    let created = azure.signed(&key, put.clone(), "/box?restype=container", &[], b"");
    assert_eq!(created.status, 201, "{}", created.text());
    let blob = azure.signed(
        &key,
        put,
        "/box/notes.txt",
        &[("x-ms-blob-type", "BlockBlob")],
        b"through the proxy",
    );
    assert_eq!(blob.status, 201, "{}", blob.text());
    let got = azure.signed(&key, reqwest::Method::GET, "/box/notes.txt", &[], b"");
    assert_eq!(
        (got.status, got.body.as_slice()),
        (200, &b"through the proxy"[..])
    );
    assert_eq!(got.header("x-ms-blob-type"), "BlockBlob");
    let head = azure.signed(&key, reqwest::Method::HEAD, "/box/notes.txt", &[], b"");
    assert_eq!((head.status, head.header("content-length")), (200, "17"));
    let wrong = azure.signed(
        "d3Jvbmcga2V5",
        reqwest::Method::GET,
        "/box/notes.txt",
        &[],
        b"",
    );
    assert_eq!(
        (wrong.status, wrong.header("x-ms-error-code")),
        (403, "AuthenticationFailed")
    );
    assert!(
        wrong.text().contains("<Code>AuthenticationFailed</Code>"),
        "{}",
        wrong.text()
    );

    // An Entra token for storage is accepted; one for ARM is not.
    let storage = azure.token("https://storage.azure.com/.default");
    let by_token = azure.send(
        azure
            .client
            .get(format!("{BLOB}/box/notes.txt"))
            .bearer_auth(&storage)
            .header("x-ms-version", "2025-11-05"),
    );
    assert_eq!(by_token.status, 200, "{}", by_token.text());
    let arm_token = azure.token("https://management.azure.com/.default");
    let wrong_audience = azure.send(
        azure
            .client
            .get(format!("{BLOB}/box/notes.txt"))
            .bearer_auth(&arm_token)
            .header("x-ms-version", "2025-11-05"),
    );
    assert_eq!(
        (
            wrong_audience.status,
            wrong_audience.header("x-ms-error-code")
        ),
        (401, "InvalidAuthenticationInfo")
    );

    // A SAS works, and the log keeps the request without its signature.
    let fields = sign::SasFields {
        version: "2025-11-05".into(),
        permissions: "r".into(),
        expiry: "2099-01-01T00:00:00Z".into(),
        resource: "b".into(),
        ..sign::SasFields::default()
    };
    let sig = sign::sign(&key, &fields.service_string("/blob/stproxy/box/notes.txt")).unwrap();
    let encoded: String = sig
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let by_sas = azure.send(azure.client.get(format!(
        "{BLOB}/box/notes.txt?sv=2025-11-05&sp=r&se=2099-01-01T00%3A00%3A00Z&sr=b&sig={encoded}"
    )));
    assert_eq!(by_sas.status, 200, "{}", by_sas.text());
    let logged: Vec<String> = azure
        .served
        .requests()
        .into_iter()
        .map(|(_, p, _)| p)
        .collect();
    let sas_lines: Vec<&String> = logged.iter().filter(|p| p.contains("sig=")).collect();
    assert_eq!(sas_lines.len(), 1, "{logged:?}");
    assert!(sas_lines[0].ends_with("sig=REDACTED"), "{}", sas_lines[0]);
    assert!(
        !logged
            .iter()
            .any(|p| p.contains(&encoded) || p.contains(&key))
    );
}
