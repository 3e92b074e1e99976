//! Container operations: Create, Delete, Get Properties / Metadata, Set Metadata, List
//! Containers, and Get Account Information. A container is the ARM resource (so a container a
//! lab created through ARM is there, and one created here shows in ARM).

use serde_json::{Map, Value, json};

use super::model::ContainerData;
use super::{BlobError, BlobResult, Ctx, Parsed, container_key, empty, stamp, xml, xml_ok};
use crate::emulator::types::blob_container;
use crate::emulator::world::{StoredResource, World};

const CONTAINER_TYPE: &str = "Microsoft.Storage/storageAccounts/blobServices/containers";

/// The most items one list page holds (and the default).
pub(crate) const MAX_RESULTS: usize = 5000;

/// The account's resource id (as written).
fn account_id(ctx: &Ctx<'_>, p: &Parsed<'_>) -> Result<String, BlobError> {
    ctx.account(&p.account)
        .map(|a| a.id.clone())
        .ok_or_else(|| {
            BlobError::new(
                404,
                "ResourceNotFound",
                "The storage account does not exist.",
            )
        })
}

/// The container's ARM resource and the key of its data; 404 `ContainerNotFound` when absent.
pub(crate) fn find(
    ctx: &mut Ctx<'_>,
    p: &Parsed<'_>,
    name: &str,
) -> Result<(StoredResource, String), BlobError> {
    let key = container_key(&account_id(ctx, p)?, name);
    let Some(arm) = ctx.world.get(&key, ctx.now_ms).cloned() else {
        return Err(BlobError::container_not_found());
    };
    if !ctx.world.blobs.contains_key(&key) {
        // Created through ARM: its data-plane state starts now.
        let etag = ctx.etag();
        ctx.world.blobs.insert(
            key.clone(),
            ContainerData {
                etag,
                last_modified_ms: ctx.now_ms,
                ..ContainerData::default()
            },
        );
        ctx.changed = true;
    }
    Ok((arm, key))
}

fn metadata_of(arm: &StoredResource) -> Vec<(String, String)> {
    arm.body
        .pointer("/properties/metadata")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn meta_map(p: &Parsed<'_>) -> Result<Map<String, Value>, BlobError> {
    Ok(p.metadata()?
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

/// Create Container: 201, or 409 `ContainerAlreadyExists`.
pub(crate) fn create(ctx: &mut Ctx<'_>, p: &Parsed<'_>, name: &str) -> BlobResult {
    if !blob_container::valid_name(name) {
        return Err(BlobError::new(
            400,
            "InvalidResourceName",
            "The specifed resource name contains invalid characters.",
        ));
    }
    let public = match p.header("x-ms-blob-public-access") {
        None => "None",
        Some("container") => "Container",
        Some("blob") => "Blob",
        Some(other) => {
            return Err(BlobError::new(
                400,
                "InvalidHeaderValue",
                format!(
                    "The value '{other}' of x-ms-blob-public-access is not one of: container, blob."
                ),
            ));
        }
    };
    let metadata = meta_map(p)?;
    let account = account_id(ctx, p)?;
    let key = container_key(&account, name);
    if ctx.world.get(&key, ctx.now_ms).is_some() {
        return Err(BlobError::new(
            409,
            "ContainerAlreadyExists",
            "The specified container already exists.",
        ));
    }
    let etag = create_container(ctx.world, &account, name, ctx.now_ms, public, &metadata);
    ctx.changed = true;
    Ok(empty(201, stamp(&etag, ctx.now_ms)))
}

/// Creates container `name` in the storage account `account_id` (the ARM resource and its
/// data-plane state); returns its ETag. What Create Container and the services that make
/// containers (a workspace's, a pending code upload's) do.
pub(crate) fn create_container(
    world: &mut World,
    account_id: &str,
    name: &str,
    now_ms: u64,
    public: &str,
    metadata: &Map<String, Value>,
) -> String {
    let id = format!("{account_id}/blobServices/default/containers/{name}");
    let key = id.to_ascii_lowercase();
    let body = blob_container::data_plane_body(&id, name, now_ms, public, metadata);
    let seq = world.next_seq();
    world.resources.insert(
        key.clone(),
        StoredResource {
            id,
            type_name: CONTAINER_TYPE.to_owned(),
            body,
            secrets: None,
            transition: None,
            seq,
        },
    );
    let etag = world.next_blob_etag(now_ms);
    world.blobs.insert(
        key,
        ContainerData {
            etag: etag.clone(),
            last_modified_ms: now_ms,
            ..ContainerData::default()
        },
    );
    etag
}

/// Delete Container: 202; its blobs go with it.
pub(crate) fn delete(ctx: &mut Ctx<'_>, p: &Parsed<'_>, name: &str) -> BlobResult {
    let (_, key) = find(ctx, p, name)?;
    let data = &ctx.world.blobs[&key];
    super::conditions::check(p, Some((&data.etag, data.last_modified_ms)))?;
    for k in ctx.world.subtree(&key) {
        ctx.world.resources.remove(&k);
    }
    if let Some(data) = ctx.world.blobs.remove(&key) {
        for payload in data.payloads() {
            ctx.payloads.forget(payload);
        }
    }
    ctx.changed = true;
    Ok(empty(202, Vec::new()))
}

/// Get Container Properties (and Metadata): the properties as headers.
pub(crate) fn properties(ctx: &mut Ctx<'_>, p: &Parsed<'_>, name: &str) -> BlobResult {
    let (arm, key) = find(ctx, p, name)?;
    let data = &ctx.world.blobs[&key];
    let mut headers = stamp(&data.etag, data.last_modified_ms);
    for (k, v) in metadata_of(&arm) {
        headers.push((format!("x-ms-meta-{k}"), v));
    }
    headers.extend(
        [
            ("x-ms-lease-status", "unlocked"),
            ("x-ms-lease-state", "available"),
            ("x-ms-has-immutability-policy", "false"),
            ("x-ms-has-legal-hold", "false"),
            ("x-ms-default-encryption-scope", "$account-encryption-key"),
            ("x-ms-deny-encryption-scope-override", "false"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    match arm
        .body
        .pointer("/properties/publicAccess")
        .and_then(Value::as_str)
    {
        Some("Blob") => headers.push(("x-ms-blob-public-access".into(), "blob".into())),
        Some("Container") => headers.push(("x-ms-blob-public-access".into(), "container".into())),
        _ => {}
    }
    Ok(empty(200, headers))
}

/// Set Container Metadata: replaces the metadata.
pub(crate) fn set_metadata(ctx: &mut Ctx<'_>, p: &Parsed<'_>, name: &str) -> BlobResult {
    let metadata = meta_map(p)?;
    let (_, key) = find(ctx, p, name)?;
    let data = &ctx.world.blobs[&key];
    super::conditions::check(p, Some((&data.etag, data.last_modified_ms)))?;
    let etag = ctx.etag();
    let now = ctx.now_ms;
    if let Some(arm) = ctx.world.resources.get_mut(&key) {
        crate::emulator::fields::set(
            &mut arm.body,
            "properties.metadata",
            Value::Object(metadata),
        );
        crate::emulator::fields::set(
            &mut arm.body,
            "properties.lastModifiedTime",
            json!(crate::emulator::ids::timestamp(now)),
        );
    }
    if let Some(data) = ctx.world.blobs.get_mut(&key) {
        data.etag = etag.clone();
        data.last_modified_ms = now;
    }
    ctx.changed = true;
    Ok(empty(200, stamp(&etag, now)))
}

/// `maxresults` (1..=5000, default 5000) or 400.
pub(crate) fn max_results(p: &Parsed<'_>) -> Result<usize, BlobError> {
    match p.param("maxresults") {
        None => Ok(MAX_RESULTS),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n.min(MAX_RESULTS)),
            _ => Err(BlobError::new(
                400,
                "OutOfRangeQueryParameterValue",
                "One of the query parameters specified in the request URI is outside the permissible range.",
            )
            .with_extra(format!(
                "<QueryParameterName>maxresults</QueryParameterName><QueryParameterValue>{}</QueryParameterValue><MinimumAllowed>1</MinimumAllowed><MaximumAllowed>{MAX_RESULTS}</MaximumAllowed>",
                xml::esc(v)
            ))),
        },
    }
}

/// List Containers: by name, from `marker`, at most `maxresults`, with `NextMarker`.
pub(crate) fn list(ctx: &mut Ctx<'_>, p: &Parsed<'_>) -> BlobResult {
    let max = max_results(p)?;
    let account = account_id(ctx, p)?;
    let prefix = p.param("prefix").unwrap_or_default().to_owned();
    let marker = p.param("marker").unwrap_or_default().to_owned();
    let with_meta = p
        .param("include")
        .is_some_and(|i| i.split(',').any(|x| x == "metadata"));
    let stem = format!("{account}/blobServices/default/containers/").to_ascii_lowercase();
    let mut names: Vec<String> = ctx
        .world
        .resources
        .iter()
        .filter(|(k, r)| {
            k.starts_with(&stem)
                && !k[stem.len()..].contains('/')
                && r.type_name.eq_ignore_ascii_case(CONTAINER_TYPE)
                && r.exists_at(ctx.now_ms)
        })
        .map(|(_, r)| crate::emulator::types::last_segment(&r.id).to_owned())
        .filter(|n| n.starts_with(&prefix) && n.as_str() >= marker.as_str())
        .collect();
    names.sort();
    let next = (names.len() > max).then(|| names[max].clone());
    names.truncate(max);
    let mut items = String::new();
    for name in &names {
        let (arm, key) = find(ctx, p, name)?;
        let data = &ctx.world.blobs[&key];
        items.push_str(&format!(
            "<Container><Name>{}</Name><Properties><Last-Modified>{}</Last-Modified><Etag>{}</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope><DenyEncryptionScopeOverride>false</DenyEncryptionScopeOverride><HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties>",
            xml::esc(name),
            super::http_date(data.last_modified_ms),
            xml::esc(&data.etag)
        ));
        let metadata = metadata_of(&arm);
        if with_meta && !metadata.is_empty() {
            items.push_str("<Metadata>");
            for (k, v) in metadata {
                items.push_str(&xml::element(&k, &v));
            }
            items.push_str("</Metadata>");
        }
        items.push_str("</Container>");
    }
    let body = format!(
        "{}<EnumerationResults ServiceEndpoint=\"https://{}.blob.core.windows.net/\">{}{}{}<Containers>{items}</Containers>{}</EnumerationResults>",
        xml::DECLARATION,
        p.account,
        opt_element("Prefix", p.param("prefix")),
        opt_element("Marker", p.param("marker")),
        opt_element("MaxResults", p.param("maxresults")),
        xml::element("NextMarker", next.as_deref().unwrap_or_default()),
    );
    Ok(xml_ok(body))
}

/// `<name>value</name>` when the parameter was given.
pub(crate) fn opt_element(name: &str, value: Option<&str>) -> String {
    value.map_or_else(String::new, |v| xml::element(name, v))
}

/// Get Account Information: the SKU and kind as headers.
pub(crate) fn account_info(ctx: &mut Ctx<'_>, p: &Parsed<'_>) -> BlobResult {
    let Some(account) = ctx.account(&p.account) else {
        return Err(BlobError::new(
            404,
            "ResourceNotFound",
            "The storage account does not exist.",
        ));
    };
    let sku = account
        .body
        .pointer("/sku/name")
        .and_then(Value::as_str)
        .unwrap_or("Standard_LRS");
    let kind = account
        .body
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("StorageV2");
    let hns = account
        .body
        .pointer("/properties/isHnsEnabled")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(empty(
        200,
        vec![
            ("x-ms-sku-name".into(), sku.to_owned()),
            ("x-ms-account-kind".into(), kind.to_owned()),
            ("x-ms-is-hns-enabled".into(), hns.to_string()),
        ],
    ))
}
