//! The blob data plane on the wire, in process: requests as azure-storage-blob sends them
//! (SharedKey-signed, or with a SAS), answers checked for status, headers and XML.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::sign::{self, SasFields};
use super::{BlobRequest, BlobResponse, Limits, http_date};
use crate::arm::transport::{HttpRequest, Method};
use crate::emulator::{Emulator, EmulatorOptions, ManualClock};

const SUB: &str = "https://management.azure.com/subscriptions/sub1/resourceGroups/rg1";
const HOST: &str = "https://stblob.blob.core.windows.net";

/// The key of the known-answer vectors below (made up for them).
const KAT_KEY: &str =
    "a2V5LWZvci1hbWxhYi1rbm93bi1hbnN3ZXItdGVzdHMtb25seS0wMTIzNDU2Nzg5YWJjZGVmZ2hpams=";

struct World {
    emu: Emulator,
    clock: Arc<ManualClock>,
    key: String,
}

fn arm(
    emu: &Emulator,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> crate::arm::transport::HttpResponse {
    let mut req = HttpRequest::new(method, url);
    req.body = body;
    emu.handle(&req).unwrap()
}

fn world_with(options: EmulatorOptions, limits: Limits) -> World {
    let clock = Arc::new(ManualClock::default());
    let emu = Emulator::open_with_clock(options, clock.clone())
        .unwrap()
        .with_blob_limits(limits);
    let key = account(&emu, &clock);
    World { emu, clock, key }
}

/// A resource group and the storage account `stblob`; returns its key1.
fn account(emu: &Emulator, clock: &ManualClock) -> String {
    arm(
        emu,
        Method::Put,
        &format!("{SUB}?api-version=2024-03-01"),
        Some(json!({"location": "eastus"})),
    );
    let st = format!("{SUB}/providers/Microsoft.Storage/storageAccounts/stblob");
    let r = arm(
        emu,
        Method::Put,
        &format!("{st}?api-version=2023-05-01"),
        Some(json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"})),
    );
    assert_eq!(r.status, 202, "{:?}", r.body);
    clock.advance(Duration::from_secs(2));
    let keys = arm(
        emu,
        Method::Post,
        &format!("{st}/listKeys?api-version=2023-05-01"),
        None,
    );
    keys.body.unwrap()["keys"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn world() -> World {
    world_with(EmulatorOptions::default(), Limits::default())
}

fn refuse_bearer(_: &str) -> Result<(), String> {
    Err("no identity in this test".into())
}

impl World {
    fn headers(&self, extra: &[(&str, &str)], body: &[u8]) -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = vec![
            ("x-ms-version".into(), "2025-11-05".into()),
            (
                "x-ms-date".into(),
                http_date(crate::emulator::Clock::now_ms(&*self.clock)),
            ),
        ];
        if !body.is_empty() {
            h.push(("Content-Length".into(), body.len().to_string()));
        }
        h.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        h
    }

    /// Sends a request as it arrives: `path_query` is what the client put on the wire.
    fn raw(
        &self,
        method: &str,
        path_query: &str,
        headers: Vec<(String, String)>,
        body: &[u8],
    ) -> BlobResponse {
        let req = BlobRequest {
            method: method.into(),
            url: format!("{HOST}{path_query}"),
            headers,
            body: body.to_vec(),
        };
        self.emu.blob(&req, &refuse_bearer).unwrap()
    }

    /// Sends a SharedKey-signed request with `key`.
    fn signed_with(
        &self,
        key: &str,
        method: &str,
        path_query: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> BlobResponse {
        let mut headers = self.headers(extra, body);
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (super::decode(k), super::decode(v))
            })
            .collect();
        let text = sign::shared_key_string(method, &headers, "stblob", path, &pairs);
        let sig = sign::sign(key, &text).unwrap();
        headers.push(("Authorization".into(), format!("SharedKey stblob:{sig}")));
        self.raw(method, path_query, headers, body)
    }

    fn send(
        &self,
        method: &str,
        path_query: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> BlobResponse {
        self.signed_with(&self.key, method, path_query, extra, body)
    }

    fn container(&self, name: &str) {
        let r = self.send("PUT", &format!("/{name}?restype=container"), &[], b"");
        assert_eq!(r.status, 201, "{}", text(&r));
    }

    fn put(&self, path: &str, body: &[u8]) -> BlobResponse {
        self.send("PUT", path, &[("x-ms-blob-type", "BlockBlob")], body)
    }
}

fn text(r: &BlobResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn code(r: &BlobResponse) -> &str {
    r.header("x-ms-error-code").unwrap_or_default()
}

#[test]
fn signatures_match_what_azure_storage_blob_computes() {
    // Signed by azure-storage-blob 12.31.1's SharedKeyCredentialPolicy: PUT .../box/dir/a%20b.txt
    // ?comp=metadata&timeout=30 with these headers.
    let headers: Vec<(String, String)> = [
        ("x-ms-version", "2025-11-05"),
        ("x-ms-date", "Thu, 03 Dec 2026 08:00:00 GMT"),
        ("x-ms-meta-Name", "v"),
        ("Content-Length", "0"),
        ("x-ms-client-request-id", "id-1"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec();
    let query = vec![
        ("comp".to_owned(), "metadata".to_owned()),
        ("timeout".to_owned(), "30".to_owned()),
    ];
    let text = sign::shared_key_string("PUT", &headers, "stkat", "/box/dir/a%20b.txt", &query);
    assert!(sign::verify(
        KAT_KEY,
        &text,
        "Sb9JB7BeQJwXzolUPvwPVQWSZVewo4LzOTJxDHuwYzU="
    ));
    let other = sign::shared_key_string("GET", &headers, "stkat", "/box/dir/a%20b.txt", &query);
    assert!(!sign::verify(
        KAT_KEY,
        &other,
        "Sb9JB7BeQJwXzolUPvwPVQWSZVewo4LzOTJxDHuwYzU="
    ));

    // generate_blob_sas / generate_container_sas / generate_account_sas, expiry 2026-12-03T10:00Z.
    let fields = |q: &str| {
        let pairs: Vec<(String, String)> = q
            .split('&')
            .map(|p| p.split_once('=').unwrap())
            .map(|(k, v)| (k.to_owned(), super::decode(v)))
            .collect();
        SasFields::parse(&pairs).unwrap()
    };
    let blob = fields(
        "se=2026-12-03T10%3A00%3A00Z&sp=r&sv=2026-10-06&sr=b&sig=OYhLOEmJrQAS4gTuwS25i6iYUVyBit0Kfm5SgScob7A%3D",
    );
    assert!(sign::verify(
        KAT_KEY,
        &blob.service_string("/blob/stkat/box/dir/a b.txt"),
        &blob.signature
    ));
    assert!(!sign::verify(
        KAT_KEY,
        &blob.service_string("/blob/stkat/box/dir/other.txt"),
        &blob.signature
    ));
    let container = fields(
        "se=2026-12-03T10%3A00%3A00Z&sp=rl&sv=2026-10-06&sr=c&sig=i8fFu1I4OswEuneS0LX4HLp/wl35RORmjOfBuJLnwiE%3D",
    );
    assert!(sign::verify(
        KAT_KEY,
        &container.service_string("/blob/stkat/box"),
        &container.signature
    ));
    let account = fields(
        "se=2026-12-03T10%3A00%3A00Z&sp=rl&sv=2026-10-06&ss=b&srt=sco&sig=k%2B7utEGtKEaqAPj/TFLH3r8CAGbItT0i%2BLG0Vhu%2Bjiw%3D",
    );
    assert!(account.is_account());
    assert!(sign::verify(
        KAT_KEY,
        &account.account_string("stkat"),
        &account.signature
    ));
}

#[test]
fn containers_are_created_listed_and_deleted_and_seen_from_arm() {
    let w = world();
    w.container("box");
    let again = w.send("PUT", "/box?restype=container", &[], b"");
    assert_eq!(
        (again.status, code(&again)),
        (409, "ContainerAlreadyExists")
    );
    assert!(
        text(&again).contains("<Code>ContainerAlreadyExists</Code>"),
        "{}",
        text(&again)
    );
    assert!(
        again.header("x-ms-request-id").is_some()
            && again.header("x-ms-version") == Some("2025-11-05")
    );
    let bad = w.send("PUT", "/Bad_Name?restype=container", &[], b"");
    assert_eq!((bad.status, code(&bad)), (400, "InvalidResourceName"));
    let meta = w.send(
        "PUT",
        "/box?restype=container&comp=metadata",
        &[("x-ms-meta-purpose", "lab")],
        b"",
    );
    assert_eq!(meta.status, 200);
    let props = w.send("HEAD", "/box?restype=container", &[], b"");
    assert_eq!(props.header("x-ms-meta-purpose"), Some("lab"));
    assert!(props.body.is_empty());
    // The container is the ARM resource.
    let arm_id = format!(
        "{SUB}/providers/Microsoft.Storage/storageAccounts/stblob/blobServices/default/containers/box?api-version=2023-05-01"
    );
    let seen = arm(&w.emu, Method::Get, &arm_id, None);
    assert_eq!(seen.status, 200);
    assert_eq!(
        seen.body.unwrap()["properties"]["metadata"]["purpose"],
        "lab"
    );
    w.container("box2");
    let list = w.send(
        "GET",
        "/?comp=list&prefix=box&maxresults=1&include=metadata",
        &[],
        b"",
    );
    let body = text(&list);
    assert!(
        body.contains("<Name>box</Name>") && !body.contains("<Name>box2</Name>"),
        "{body}"
    );
    assert!(
        body.contains("<NextMarker>box2</NextMarker>") && body.contains("<purpose>lab</purpose>"),
        "{body}"
    );
    let gone = w.send("DELETE", "/box2?restype=container", &[], b"");
    assert_eq!(gone.status, 202);
    let missing = w.send("GET", "/box2?restype=container", &[], b"");
    assert_eq!((missing.status, code(&missing)), (404, "ContainerNotFound"));
    // Deleting through ARM removes it from the data plane too.
    assert_eq!(arm(&w.emu, Method::Delete, &arm_id, None).status, 200);
    let after = w.send("GET", "/box?restype=container&comp=list", &[], b"");
    assert_eq!(code(&after), "ContainerNotFound");
}

#[test]
fn blobs_round_trip_with_ranges_properties_and_conditions() {
    let w = world();
    w.container("box");
    let put = w.send(
        "PUT",
        "/box/dir/a%20b.txt",
        &[
            ("x-ms-blob-type", "BlockBlob"),
            ("x-ms-blob-content-type", "text/plain"),
            ("x-ms-meta-k", "v"),
        ],
        b"hello world",
    );
    assert_eq!(put.status, 201, "{}", text(&put));
    assert_eq!(put.header("Content-MD5"), Some("XrY7u+Ae7tCTyyK7j1rNww=="));
    let etag = put.header("ETag").unwrap().to_owned();
    assert!(etag.starts_with("\"0x") && etag.ends_with('"'), "{etag}");
    let get = w.send("GET", "/box/dir/a%20b.txt", &[], b"");
    assert_eq!(
        (get.status, get.body.as_slice()),
        (200, &b"hello world"[..])
    );
    assert_eq!(get.header("Content-Type"), Some("text/plain"));
    assert_eq!(get.header("x-ms-meta-k"), Some("v"));
    assert_eq!(get.header("x-ms-blob-type"), Some("BlockBlob"));
    assert_eq!(get.header("ETag"), Some(etag.as_str()));
    assert!(
        get.header("Last-Modified")
            .is_some_and(|d| d.ends_with(" GMT"))
    );
    let part = w.send(
        "GET",
        "/box/dir/a%20b.txt",
        &[("x-ms-range", "bytes=6-")],
        b"",
    );
    assert_eq!((part.status, part.body.as_slice()), (206, &b"world"[..]));
    assert_eq!(part.header("Content-Range"), Some("bytes 6-10/11"));
    let past = w.send(
        "GET",
        "/box/dir/a%20b.txt",
        &[("x-ms-range", "bytes=11-20")],
        b"",
    );
    assert_eq!((past.status, code(&past)), (416, "InvalidRange"));
    assert_eq!(past.header("Content-Range"), Some("bytes */11"));
    let exists = w.send(
        "PUT",
        "/box/dir/a%20b.txt",
        &[("x-ms-blob-type", "BlockBlob"), ("If-None-Match", "*")],
        b"x",
    );
    assert_eq!((exists.status, code(&exists)), (409, "BlobAlreadyExists"));
    let not_modified = w.send(
        "GET",
        "/box/dir/a%20b.txt",
        &[("If-None-Match", &etag)],
        b"",
    );
    assert_eq!((not_modified.status, not_modified.body.len()), (304, 0));
    let meta = w.send(
        "PUT",
        "/box/dir/a%20b.txt?comp=metadata",
        &[("x-ms-meta-x", "1")],
        b"",
    );
    assert_eq!(meta.status, 200);
    assert_ne!(meta.header("ETag"), Some(etag.as_str()));
    let stale = w.send("DELETE", "/box/dir/a%20b.txt", &[("If-Match", &etag)], b"");
    assert_eq!((stale.status, code(&stale)), (412, "ConditionNotMet"));
    let headers = w.send(
        "PUT",
        "/box/dir/a%20b.txt?comp=properties",
        &[("x-ms-blob-content-type", "application/json")],
        b"",
    );
    assert_eq!(headers.status, 200);
    let head = w.send("HEAD", "/box/dir/a%20b.txt", &[], b"");
    assert_eq!(head.header("Content-Type"), Some("application/json"));
    assert_eq!(
        head.header("Content-MD5"),
        None,
        "Set Blob Properties clears what it is not given"
    );
    assert_eq!(head.header("x-ms-meta-x"), Some("1"));
    assert_eq!(head.header("Content-Length"), Some("11"));
    assert_eq!(w.send("DELETE", "/box/dir/a%20b.txt", &[], b"").status, 202);
    let missing = w.send("HEAD", "/box/dir/a%20b.txt", &[], b"");
    assert_eq!(
        (missing.status, code(&missing), missing.body.len()),
        (404, "BlobNotFound", 0)
    );
    let md5 = w.send(
        "PUT",
        "/box/m",
        &[
            ("x-ms-blob-type", "BlockBlob"),
            ("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="),
        ],
        b"not hello",
    );
    assert_eq!((md5.status, code(&md5)), (400, "Md5Mismatch"));
    let page = w.send("PUT", "/box/p", &[("x-ms-blob-type", "PageBlob")], b"");
    assert_eq!((page.status, code(&page)), (501, "NotImplemented"));
    let empty = w.put("/box/empty", b"");
    assert_eq!(empty.status, 201);
    let ranged = w.send(
        "GET",
        "/box/empty",
        &[("x-ms-range", "bytes=0-33554431")],
        b"",
    );
    assert_eq!(
        code(&ranged),
        "InvalidRange",
        "an empty blob has no byte 0: the SDK then reads it whole"
    );
}

#[test]
fn blocks_are_staged_committed_and_listed() {
    let w = world();
    w.container("box");
    for (id, data) in [
        ("YmxvY2sx", &b"one-"[..]),
        ("YmxvY2sy", b"two-"),
        ("YmxvY2sz", b"three"),
    ] {
        let r = w.send(
            "PUT",
            &format!("/box/b.txt?comp=block&blockid={id}"),
            &[],
            data,
        );
        assert_eq!(r.status, 201, "{}", text(&r));
    }
    let invisible = w.send("HEAD", "/box/b.txt", &[], b"");
    assert_eq!(invisible.status, 404, "uncommitted blocks are not a blob");
    let uncommitted = w.send(
        "GET",
        "/box/b.txt?comp=blocklist&blocklisttype=all",
        &[],
        b"",
    );
    assert!(
        text(&uncommitted)
            .contains("<UncommittedBlocks><Block><Name>YmxvY2sx</Name><Size>4</Size></Block>"),
        "{}",
        text(&uncommitted)
    );
    let list = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>YmxvY2sz</Latest><Uncommitted>YmxvY2sx</Uncommitted></BlockList>";
    let commit = w.send(
        "PUT",
        "/box/b.txt?comp=blocklist",
        &[("x-ms-blob-content-type", "text/plain")],
        list,
    );
    assert_eq!(commit.status, 201, "{}", text(&commit));
    assert_eq!(w.send("GET", "/box/b.txt", &[], b"").body, b"threeone-");
    let committed = text(&w.send("GET", "/box/b.txt?comp=blocklist", &[], b""));
    assert!(committed.contains("<CommittedBlocks><Block><Name>YmxvY2sz</Name><Size>5</Size></Block><Block><Name>YmxvY2sx</Name><Size>4</Size></Block></CommittedBlocks><UncommittedBlocks></UncommittedBlocks>"), "{committed}");
    // A committed block is reused by a later commit; an unknown one fails the list.
    w.send(
        "PUT",
        "/box/b.txt?comp=block&blockid=YmxvY2s0",
        &[],
        b"-four",
    );
    let reuse = b"<BlockList><Committed>YmxvY2sz</Committed><Latest>YmxvY2s0</Latest></BlockList>";
    assert_eq!(
        w.send("PUT", "/box/b.txt?comp=blocklist", &[], reuse)
            .status,
        201
    );
    assert_eq!(w.send("GET", "/box/b.txt", &[], b"").body, b"three-four");
    let unknown = w.send(
        "PUT",
        "/box/b.txt?comp=blocklist",
        &[],
        b"<BlockList><Latest>bm9wZQ==</Latest></BlockList>",
    );
    assert_eq!((unknown.status, code(&unknown)), (400, "InvalidBlockList"));
    let odd = w.send("PUT", "/box/b.txt?comp=block&blockid=YQ==", &[], b"x");
    assert_eq!((odd.status, code(&odd)), (400, "InvalidBlobOrBlock"));
    let xml = w.send("PUT", "/box/b.txt?comp=blocklist", &[], b"<nope/>");
    assert_eq!((xml.status, code(&xml)), (400, "InvalidXmlDocument"));
}

#[test]
fn list_blobs_pages_and_collapses_at_the_delimiter() {
    let w = world();
    w.container("box");
    for name in [
        "a.txt",
        "dir/a.csv",
        "dir/sub/b.csv",
        "dir/sub/c.csv",
        "dir2/x",
        "z.txt",
    ] {
        assert_eq!(w.put(&format!("/box/{name}"), name.as_bytes()).status, 201);
    }
    let names = |r: &BlobResponse| -> Vec<String> {
        let t = text(r);
        t.split("<Name>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap_or_default().to_owned())
            .collect()
    };
    let walk = w.send(
        "GET",
        "/box?restype=container&comp=list&delimiter=/",
        &[],
        b"",
    );
    assert_eq!(names(&walk), ["a.txt", "dir/", "dir2/", "z.txt"]);
    assert!(
        text(&walk).contains("<BlobPrefix><Name>dir/</Name></BlobPrefix>"),
        "{}",
        text(&walk)
    );
    let under = w.send(
        "GET",
        "/box?restype=container&comp=list&prefix=dir/&delimiter=/",
        &[],
        b"",
    );
    assert_eq!(names(&under), ["dir/a.csv", "dir/sub/"]);
    let mut pages = Vec::new();
    let mut marker = String::new();
    loop {
        let r = w.send(
            "GET",
            &format!("/box?restype=container&comp=list&maxresults=4&delimiter=/&marker={marker}"),
            &[],
            b"",
        );
        pages.push(names(&r));
        let t = text(&r);
        marker = t
            .split("<NextMarker>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default()
            .to_owned();
        if marker.is_empty() {
            break;
        }
    }
    assert_eq!(
        pages,
        [vec!["a.txt", "dir/", "dir2/", "z.txt"]],
        "a prefix counts once"
    );
    let two = w.send(
        "GET",
        "/box?restype=container&comp=list&maxresults=2",
        &[],
        b"",
    );
    assert!(
        text(&two).contains("<NextMarker>dir/sub/b.csv</NextMarker>"),
        "{}",
        text(&two)
    );
    let bad = w.send(
        "GET",
        "/box?restype=container&comp=list&maxresults=0",
        &[],
        b"",
    );
    assert_eq!(
        (bad.status, code(&bad)),
        (400, "OutOfRangeQueryParameterValue")
    );
}

#[test]
fn signatures_are_verified_and_failures_answer_as_azure_does() {
    let w = world();
    w.container("box");
    let wrong = w.signed_with(KAT_KEY, "GET", "/box?restype=container", &[], b"");
    assert_eq!((wrong.status, code(&wrong)), (403, "AuthenticationFailed"));
    assert!(
        text(&wrong).contains(
            "<AuthenticationErrorDetail>The MAC signature found in the HTTP request is not the same"
        ),
        "{}",
        text(&wrong)
    );
    assert!(!text(&wrong).contains(&w.key));
    let anonymous = w.raw("GET", "/box?restype=container", w.headers(&[], b""), b"");
    assert_eq!(
        (anonymous.status, code(&anonymous)),
        (401, "NoAuthenticationInformation")
    );
    assert!(
        anonymous
            .header("WWW-Authenticate")
            .is_some_and(|h| h.contains("resource_id=https://storage.azure.com"))
    );
    let mut old = w.headers(&[], b"");
    old[1].1 = http_date(crate::emulator::Clock::now_ms(&*w.clock) - 20 * 60 * 1000);
    let text_old = sign::shared_key_string(
        "GET",
        &old,
        "stblob",
        "/box",
        &[("restype".into(), "container".into())],
    );
    old.push((
        "Authorization".into(),
        format!(
            "SharedKey stblob:{}",
            sign::sign(&w.key, &text_old).unwrap()
        ),
    ));
    let stale = w.raw("GET", "/box?restype=container", old, b"");
    assert_eq!(
        code(&stale),
        "AuthenticationFailed",
        "a date 20 minutes old is refused"
    );
    // Bearer tokens are checked by the caller's identity.
    let mut bearer = w.headers(&[], b"");
    bearer.push(("Authorization".into(), "Bearer eyJ.x.y".into()));
    let req = BlobRequest {
        method: "GET".into(),
        url: format!("{HOST}/box?restype=container"),
        headers: bearer,
        body: Vec::new(),
    };
    assert_eq!(w.emu.blob(&req, &|_| Ok(())).unwrap().status, 200);
    let refused = w.emu.blob(&req, &refuse_bearer).unwrap();
    assert_eq!(
        (refused.status, code(&refused)),
        (401, "InvalidAuthenticationInfo")
    );
    let nowhere = BlobRequest {
        url: "https://nosuch.blob.core.windows.net/box?restype=container".into(),
        ..req.clone()
    };
    assert_eq!(w.emu.blob(&nowhere, &|_| Ok(())).unwrap().status, 404);
    let not_blob = BlobRequest {
        url: "https://management.azure.com/x".into(),
        ..req
    };
    assert!(w.emu.blob(&not_blob, &|_| Ok(())).is_none());
}

/// A service SAS for `resource` (`c` or `b`) as generate_*_sas writes it.
fn sas(w: &World, sr: &str, canonical: &str, sp: &str, expiry_ms: u64) -> String {
    let fields = SasFields {
        version: "2025-11-05".into(),
        permissions: sp.into(),
        expiry: crate::emulator::ids::timestamp(expiry_ms / 1000 * 1000),
        resource: sr.into(),
        ..SasFields::default()
    };
    let sig = sign::sign(&w.key, &fields.service_string(canonical)).unwrap();
    let enc = |v: &str| {
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "se={}&sp={sp}&sv=2025-11-05&sr={sr}&sig={}",
        enc(&fields.expiry),
        enc(&sig)
    )
}

#[test]
fn sas_tokens_grant_what_they_say_and_nothing_more() {
    let w = world();
    w.container("box");
    w.container("other");
    assert_eq!(w.put("/box/a.txt", b"hello").status, 201);
    let now = crate::emulator::Clock::now_ms(&*w.clock);
    let unsigned = |m: &str, pq: &str, extra: &[(&str, &str)], body: &[u8]| {
        let h = vec![("x-ms-version".to_owned(), "2025-11-05".to_owned())]
            .into_iter()
            .chain(
                extra
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            )
            .collect();
        w.raw(m, pq, h, body)
    };
    let read = sas(&w, "b", "/blob/stblob/box/a.txt", "r", now + 3_600_000);
    assert_eq!(
        unsigned("GET", &format!("/box/a.txt?{read}"), &[], b"").body,
        b"hello"
    );
    let elsewhere = unsigned("GET", &format!("/box/b.txt?{read}"), &[], b"");
    assert_eq!(
        (elsewhere.status, code(&elsewhere)),
        (403, "AuthenticationFailed")
    );
    let write = unsigned(
        "PUT",
        &format!("/box/a.txt?{read}"),
        &[("x-ms-blob-type", "BlockBlob")],
        b"x",
    );
    assert_eq!(
        (write.status, code(&write)),
        (403, "AuthorizationPermissionMismatch")
    );
    let list = sas(&w, "c", "/blob/stblob/box", "rl", now + 3_600_000);
    let listed = unsigned(
        "GET",
        &format!("/box?restype=container&comp=list&{list}"),
        &[],
        b"",
    );
    assert!(
        text(&listed).contains("<Name>a.txt</Name>"),
        "{}",
        text(&listed)
    );
    let other = unsigned(
        "GET",
        &format!("/other?restype=container&comp=list&{list}"),
        &[],
        b"",
    );
    assert_eq!(code(&other), "AuthenticationFailed");
    let delete_container = unsigned(
        "DELETE",
        &format!("/box?restype=container&{list}"),
        &[],
        b"",
    );
    assert_eq!(code(&delete_container), "AuthorizationResourceTypeMismatch");
    let expired = sas(&w, "b", "/blob/stblob/box/a.txt", "r", now - 1000);
    let late = unsigned("GET", &format!("/box/a.txt?{expired}"), &[], b"");
    assert_eq!(code(&late), "AuthenticationFailed");
    assert!(
        text(&late).contains("Signature not valid in the specified time frame"),
        "{}",
        text(&late)
    );
    let tampered = read.replace("sp=r", "sp=rw");
    assert_eq!(
        code(&unsigned(
            "GET",
            &format!("/box/a.txt?{tampered}"),
            &[],
            b""
        )),
        "AuthenticationFailed"
    );
    // The request log keeps SAS requests without their signature.
    let logged: Vec<String> = w
        .emu
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("sig="))
        .collect();
    assert!(!logged.is_empty());
    assert!(
        logged.iter().all(|p| p.contains("sig=REDACTED")),
        "{logged:?}"
    );
}

#[test]
fn sizes_are_bounded_with_a_clear_error() {
    let w = world_with(
        EmulatorOptions::default(),
        Limits {
            max_blob: 10,
            max_world: 25,
        },
    );
    w.container("box");
    let big = w.put("/box/big", &[7u8; 11]);
    assert_eq!((big.status, code(&big)), (413, "RequestBodyTooLarge"));
    assert!(text(&big).contains("at most 10 bytes"), "{}", text(&big));
    assert_eq!(w.put("/box/a", &[1u8; 10]).status, 201);
    assert_eq!(w.put("/box/b", &[1u8; 10]).status, 201);
    let full = w.put("/box/c", &[1u8; 10]);
    assert_eq!((full.status, code(&full)), (413, "AmlabStorageFull"));
    assert!(text(&full).contains("at most 25 bytes"), "{}", text(&full));
    assert_eq!(
        w.put("/box/a", &[2u8; 10]).status,
        201,
        "replacing a blob reuses its room"
    );
    assert_eq!(w.send("DELETE", "/box/b", &[], b"").status, 202);
    for id in ["MQ==", "Mg=="] {
        w.send(
            "PUT",
            &format!("/box/blk?comp=block&blockid={id}"),
            &[],
            &[3u8; 3],
        );
    }
    let list = b"<BlockList><Latest>MQ==</Latest><Latest>Mg==</Latest><Latest>MQ==</Latest><Latest>Mg==</Latest></BlockList>";
    let long = w.send("PUT", "/box/blk?comp=blocklist", &[], list);
    assert_eq!(
        code(&long),
        "RequestBodyTooLarge",
        "a committed blob is bounded too"
    );
}

#[test]
fn payloads_live_beside_the_state_file_not_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let options = || EmulatorOptions {
        state_path: Some(state.clone()),
        ..EmulatorOptions::default()
    };
    let digest;
    {
        let w = world_with(options(), Limits::default());
        w.container("box");
        let content = b"a payload that must not be in the JSON state".repeat(10);
        assert_eq!(w.put("/box/p.bin", &content).status, 201);
        digest = super::payloads::digest(&content);
        let json = std::fs::read_to_string(&state).unwrap();
        assert!(
            !json.contains("must not be in the JSON") && json.contains(&digest),
            "the state names the payload"
        );
        assert_eq!(
            std::fs::read(dir.path().join("state.json.blobs").join(&digest)).unwrap(),
            content
        );
    }
    // A later process: the blob is there (the account's keys were regenerated: listKeys again).
    let clock = Arc::new(ManualClock::default());
    let emu = Emulator::open_with_clock(options(), clock.clone()).unwrap();
    let st = format!("{SUB}/providers/Microsoft.Storage/storageAccounts/stblob");
    let keys = arm(
        &emu,
        Method::Post,
        &format!("{st}/listKeys?api-version=2023-05-01"),
        None,
    );
    let key = keys.body.unwrap()["keys"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let w = World { emu, clock, key };
    assert!(
        w.send("GET", "/box/p.bin", &[], b"")
            .body
            .starts_with(b"a payload")
    );
    assert_eq!(w.send("DELETE", "/box/p.bin", &[], b"").status, 202);
    assert!(
        !dir.path().join("state.json.blobs").join(&digest).exists(),
        "an unreferenced payload is removed"
    );
}

#[test]
fn a_workspace_brings_its_blob_store_and_code_uploads_get_a_sas() {
    let w = world();
    let p = "/subscriptions/sub1/resourceGroups/rg1/providers";
    arm(
        &w.emu,
        Method::Put,
        &format!("{SUB}/providers/Microsoft.KeyVault/vaults/kv1?api-version=2023-07-01"),
        Some(
            json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-000000000000", "sku": {"family": "A", "name": "standard"}}}),
        ),
    );
    let ws = format!("{SUB}/providers/Microsoft.MachineLearningServices/workspaces/ws1");
    let r = arm(
        &w.emu,
        Method::Put,
        &format!("{ws}?api-version=2025-12-01"),
        Some(json!({"location": "eastus", "properties": {
        "storageAccount": format!("{p}/Microsoft.Storage/storageAccounts/stblob"),
        "keyVault": format!("{p}/Microsoft.KeyVault/vaults/kv1")}})),
    );
    assert_eq!(r.status, 202, "{:?}", r.body);
    w.clock.advance(Duration::from_secs(2));
    let store = arm(
        &w.emu,
        Method::Get,
        &format!("{ws}/datastores/workspaceblobstore?api-version=2025-12-01"),
        None,
    )
    .body
    .unwrap();
    let container = store["properties"]["containerName"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(container.starts_with("azureml-blobstore-"), "{container}");
    assert_eq!(
        w.send("GET", &format!("/{container}?restype=container"), &[], b"")
            .status,
        200,
        "created with the workspace"
    );
    let secrets = arm(
        &w.emu,
        Method::Post,
        &format!("{ws}/datastores/workspaceblobstore/listSecrets?api-version=2025-12-01"),
        None,
    );
    assert_eq!(secrets.body.unwrap()["key"], json!(w.key));

    // The SDK's code upload: look up by hash, start a pending upload, upload with its SAS,
    // register the version, and the hash then finds it (under any name).
    let codes = format!("{ws}/codes");
    let lookup = format!(
        "{codes}/fresh-name/versions?api-version=2023-04-01&hash=abc123&hashVersion=202208"
    );
    assert_eq!(
        arm(&w.emu, Method::Get, &lookup, None).body.unwrap()["value"],
        json!([])
    );
    let pending = arm(
        &w.emu,
        Method::Post,
        &format!("{codes}/src1/versions/1/startPendingUpload?api-version=2023-04-01"),
        Some(json!({"pendingUploadType": "TemporaryBlobReference"})),
    );
    assert_eq!(pending.status, 200, "{:?}", pending.body);
    let body = pending.body.unwrap();
    let sas_uri = body["blobReferenceForConsumption"]["credential"]["sasUri"]
        .as_str()
        .unwrap()
        .to_owned();
    let blob_uri = body["blobReferenceForConsumption"]["blobUri"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        sas_uri.starts_with(&format!("{blob_uri}?")) && blob_uri.starts_with(HOST),
        "{blob_uri}"
    );
    assert!(
        w.emu.secrets().contains(&sas_uri),
        "the SAS is an issued secret"
    );
    let (_, query) = sas_uri.split_once('?').unwrap();
    let path = blob_uri.strip_prefix(HOST).unwrap();
    let upload = w.raw(
        "PUT",
        &format!("{path}/src/train.py?{query}"),
        vec![
            ("x-ms-blob-type".into(), "BlockBlob".into()),
            ("x-ms-version".into(), "2025-11-05".into()),
        ],
        b"print(1)",
    );
    assert_eq!(upload.status, 201, "{}", text(&upload));
    let put = arm(
        &w.emu,
        Method::Put,
        &format!("{codes}/src1/versions/1?api-version=2023-04-01"),
        Some(json!({"properties": {
        "codeUri": format!("{blob_uri}/src"), "isAnonymous": true,
        "properties": {"hash_sha256": "abc123", "hash_version": 202208}}})),
    );
    assert_eq!(put.status, 201, "{:?}", put.body);
    let found = arm(&w.emu, Method::Get, &lookup, None).body.unwrap();
    assert_eq!(found["value"].as_array().map(Vec::len), Some(1), "{found}");
    assert!(
        found["value"][0]["id"]
            .as_str()
            .unwrap()
            .ends_with("/codes/src1/versions/1")
    );
    let other_hash = lookup.replace("abc123", "def456");
    assert_eq!(
        arm(&w.emu, Method::Get, &other_hash, None).body.unwrap()["value"],
        json!([])
    );
    let missing_ws = arm(&w.emu, Method::Get, &lookup.replace("/ws1/", "/ws2/"), None);
    assert_eq!(missing_ws.status, 404);
}
