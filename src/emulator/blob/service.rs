//! Blobs the emulated service writes itself, not a client: on Azure, Azure Machine Learning
//! writes a job's logs into its workspace's artifact store (the `azureml` container), and
//! clients read them there through the ordinary data plane.

use super::Ctx;
use super::blobs::{md5_b64, store};
use super::model::{Blob, ContainerData, ContentSettings};

/// Writes `bytes` as block blob `name` in the container whose ARM resource id is
/// `container_id`, unless the container does not exist (then nothing happens), the blob is
/// already there (it is kept as it is), or the world has no room for it. Whether it wrote.
pub(crate) fn write_once(
    ctx: &mut Ctx<'_>,
    container_id: &str,
    name: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> bool {
    let key = container_id.to_ascii_lowercase();
    if ctx.world.get(&key, ctx.now_ms).is_none() {
        return false;
    }
    if !ctx.world.blobs.contains_key(&key) {
        let etag = ctx.etag();
        let data = ContainerData {
            etag,
            last_modified_ms: ctx.now_ms,
            ..ContainerData::default()
        };
        ctx.world.blobs.insert(key.clone(), data);
        ctx.changed = true;
    }
    if ctx.world.blobs[&key].blobs.contains_key(name) {
        return false;
    }
    let size = bytes.len() as u64;
    if ctx.check_room(size).is_err() || size > ctx.limits.max_blob {
        return false;
    }
    let content_md5 = Some(md5_b64(&bytes));
    let Ok(payload) = ctx.payloads.put(bytes) else {
        return false;
    };
    let blob = Blob {
        size,
        payload,
        etag: ctx.etag(),
        created_ms: ctx.now_ms,
        last_modified_ms: ctx.now_ms,
        content: ContentSettings {
            content_type: Some(content_type.to_owned()),
            content_md5,
            ..ContentSettings::default()
        },
        metadata: Default::default(),
        blocks: Vec::new(),
    };
    store(ctx, &key, name, blob);
    true
}
