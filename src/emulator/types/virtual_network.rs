//! `Microsoft.Network/virtualNetworks`: an address space and its subnets (written inline, as
//! `az network vnet create --subnet-name` and templates do), the place a private endpoint
//! lands (Microsoft.Network `virtualNetwork.json`, 2024-07-01).
//!
//! Modelled: `addressSpace.addressPrefixes` (IPv4 CIDR blocks, written aligned, not
//! overlapping each other), `subnets[]` each with `addressPrefix` or `addressPrefixes`, inside
//! the address space and overlapping no sibling; subnet names unique. Each subnet gets its id,
//! type, `provisioningState` and the network-policy defaults (`privateEndpointNetworkPolicies`
//! `Disabled`, `privateLinkServiceNetworkPolicies` `Enabled`). PUT answers with
//! `Azure-AsyncOperation` and shows `Updating` until settled (the network provider's style),
//! DELETE likewise; a subnet that still holds a private endpoint keeps its network from being
//! deleted or the subnet from being removed (`InUseSubnetCannotBeDeleted`).
//! Subnets as a child type (`virtualNetworks/{v}/subnets/{s}`) are not emulated.

use serde_json::{Value, json};

use super::{Built, LocationPolicy, Lro, PutContext, ResourceType, check_plain_name};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::{Phase, StoredResource, World};

const CHECK: Check = Check {
    code: "InvalidRequestFormat",
    detail: None,
};

/// The private endpoint type (whose subnets are "in use").
pub(crate) const PRIVATE_ENDPOINTS: &str = "Microsoft.Network/privateEndpoints";

/// Virtual networks.
pub(crate) struct VirtualNetworks;

impl ResourceType for VirtualNetworks {
    fn type_name(&self) -> &'static str {
        "Microsoft.Network/virtualNetworks"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        network_name(name, "Virtual network")
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        let space = address_space(&props)?;
        let subnets = subnets(ctx, &props, &space)?;
        if let Some(existing) = ctx.existing {
            check_removed_subnets(ctx.world, existing, &subnets, ctx.now_ms)?;
        }
        fields::set(&mut props, "subnets", Value::Array(subnets));
        fields::default(&mut props, "virtualNetworkPeerings", json!([]));
        fields::default(&mut props, "enableDdosProtection", json!(false));
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn transient_overlay(&self, _phase: Phase, _settled: &Value) -> Value {
        json!({"properties": {"provisioningState": "Updating"}})
    }

    fn refuse_delete(
        &self,
        world: &World,
        resource: &StoredResource,
        now_ms: u64,
    ) -> ArmResult<()> {
        let names: Vec<String> = subnet_list(&resource.body)
            .iter()
            .filter_map(|s| s["name"].as_str().map(str::to_owned))
            .collect();
        for name in names {
            let subnet_id = format!("{}/subnets/{name}", resource.id);
            if let Some(pe) = endpoint_in(world, &subnet_id, now_ms) {
                return Err(in_use(&subnet_id, &pe));
            }
        }
        Ok(())
    }
}

/// Network resource names: 2 to 64 (subnets 1 to 80) letters, digits, `-`, `_`, `.`.
pub(crate) fn network_name(name: &str, what: &str) -> ArmResult<()> {
    let len = if what == "Subnet" { 1..=80 } else { 2..=64 };
    check_plain_name(name, len.clone(), "-_.", || {
        format!(
            "{what} name '{name}' is invalid: {} to {} letters, digits, '-', '_' and '.', starting with a letter or digit.",
            len.start(),
            len.end()
        )
    })?;
    if name.ends_with(['-', '.']) {
        return Err(ArmError::bad_request(
            "InvalidResourceName",
            format!("{what} name '{name}' must end with a letter, digit or '_'."),
        ));
    }
    Ok(())
}

/// An IPv4 block: first address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    base: u32,
    len: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`; the address must be the block's first (aligned).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("'{text}' is not an IPv4 address prefix in CIDR notation (like 10.0.0.0/16)")
        };
        let (addr, len) = text.split_once('/').ok_or_else(bad)?;
        let addr: std::net::Ipv4Addr = addr.trim().parse().map_err(|_| bad())?;
        let len: u8 = len.trim().parse().map_err(|_| bad())?;
        if len > 32 {
            return Err(bad());
        }
        let base = u32::from(addr);
        let cidr = Self {
            base: base & mask(len),
            len,
        };
        if cidr.base != base {
            return Err(format!(
                "The address prefix {text} has an invalid CIDR notation. For the given prefix length, the address prefix should be {cidr}."
            ));
        }
        Ok(cidr)
    }

    /// The last address of the block.
    fn last(self) -> u32 {
        self.base | !mask(self.len)
    }

    /// Whether `other` lies wholly inside this block.
    pub(crate) fn contains(self, other: Self) -> bool {
        other.base >= self.base && other.last() <= self.last()
    }

    /// Whether the two blocks share an address.
    pub(crate) fn overlaps(self, other: Self) -> bool {
        self.base <= other.last() && other.base <= self.last()
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", std::net::Ipv4Addr::from(self.base), self.len)
    }
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    }
}

/// The parsed strings of a prefix list at `field`.
fn prefixes(list: &Value, field: &str) -> ArmResult<Vec<Cidr>> {
    let Some(items) = list.as_array() else {
        return Err(CHECK.error(
            field,
            format!("{field} must be an array of address prefixes"),
        ));
    };
    items
        .iter()
        .map(|p| {
            let text = p.as_str().unwrap_or_default();
            Cidr::parse(text)
                .map_err(|m| ArmError::bad_request("InvalidCIDRNotation", m).with_target(field))
        })
        .collect()
}

/// `addressSpace.addressPrefixes`: at least one block, none overlapping another.
fn address_space(props: &Value) -> ArmResult<Vec<Cidr>> {
    let field = "properties.addressSpace.addressPrefixes";
    let list = props
        .pointer("/addressSpace/addressPrefixes")
        .ok_or_else(|| CHECK.missing(field))?;
    let space = prefixes(list, field)?;
    if space.is_empty() {
        return Err(CHECK.error(
            field,
            format!("{field} must hold at least one address prefix"),
        ));
    }
    for (i, a) in space.iter().enumerate() {
        if let Some(b) = space[i + 1..].iter().find(|b| a.overlaps(**b)) {
            return Err(ArmError::bad_request(
                "VnetAddressSpacesOverlap",
                format!(
                    "The address space of the virtual network has overlapping prefixes {a} and {b}."
                ),
            ));
        }
    }
    Ok(space)
}

/// The subnets as written, validated and completed.
fn subnets(ctx: &PutContext<'_>, props: &Value, space: &[Cidr]) -> ArmResult<Vec<Value>> {
    let given = match props.get("subnets") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return Err(CHECK.error("properties.subnets", "properties.subnets must be an array"));
        }
    };
    let mut taken: Vec<(String, Cidr)> = Vec::new();
    let mut out = Vec::new();
    for (i, s) in given.iter().enumerate() {
        let at = format!("properties.subnets[{i}]");
        let name = CHECK
            .require_str(s, "name")
            .map_err(|_| CHECK.missing(&format!("{at}.name")))?;
        network_name(name, "Subnet")?;
        if out.iter().any(|o: &Value| {
            o["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                format!(
                    "Subnet '{name}' is given twice in virtual network '{}'.",
                    ctx.name
                ),
            ));
        }
        let blocks = subnet_prefixes(s, &at)?;
        for b in &blocks {
            if !space.iter().any(|sp| sp.contains(*b)) {
                return Err(ArmError::bad_request(
                    "NetcfgSubnetRangeOutsideVnet",
                    format!(
                        "Subnet '{name}' is not valid because its IP address range {b} is outside the IP address range of virtual network '{}'.",
                        ctx.name
                    ),
                ));
            }
            if let Some((other, _)) = taken.iter().find(|(_, t)| t.overlaps(*b)) {
                return Err(ArmError::bad_request(
                    "NetcfgSubnetRangesOverlap",
                    format!(
                        "Subnet '{name}' is not valid because its IP address range {b} overlaps with that of an existing subnet '{other}' in virtual network '{}'.",
                        ctx.name
                    ),
                ));
            }
            taken.push((name.to_owned(), *b));
        }
        out.push(complete_subnet(ctx.id, s, name));
    }
    Ok(out)
}

/// `addressPrefix` or `addressPrefixes` of one subnet.
fn subnet_prefixes(s: &Value, at: &str) -> ArmResult<Vec<Cidr>> {
    let props = &s["properties"];
    let (list, field) = match (props.get("addressPrefix"), props.get("addressPrefixes")) {
        (Some(p), None) => (json!([p]), format!("{at}.properties.addressPrefix")),
        (None, Some(ps)) => (ps.clone(), format!("{at}.properties.addressPrefixes")),
        _ => {
            return Err(CHECK.error(
                &format!("{at}.properties.addressPrefix"),
                format!("{at} needs exactly one of properties.addressPrefix and properties.addressPrefixes"),
            ));
        }
    };
    let blocks = prefixes(&list, &field)?;
    if blocks.is_empty() {
        return Err(CHECK.error(
            &field,
            format!("{field} must hold at least one address prefix"),
        ));
    }
    Ok(blocks)
}

/// A subnet with its id, type and defaults.
fn complete_subnet(vnet_id: &str, s: &Value, name: &str) -> Value {
    let mut props = fields::object_or_empty(s.get("properties"));
    fields::default(
        &mut props,
        "privateEndpointNetworkPolicies",
        json!("Disabled"),
    );
    fields::default(
        &mut props,
        "privateLinkServiceNetworkPolicies",
        json!("Enabled"),
    );
    fields::set(&mut props, "provisioningState", json!("Succeeded"));
    json!({
        "id": format!("{vnet_id}/subnets/{name}"),
        "name": name,
        "type": "Microsoft.Network/virtualNetworks/subnets",
        "properties": props,
    })
}

/// The subnets of a stored network.
pub(crate) fn subnet_list(body: &Value) -> Vec<Value> {
    fields::get(body, "properties.subnets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The subnet `{vnet}/subnets/{name}` of the world, with its network.
pub(crate) fn find_subnet<'w>(
    world: &'w World,
    subnet_id: &str,
    now_ms: u64,
) -> Option<(&'w StoredResource, Value)> {
    let (vnet_id, name) = subnet_id.rsplit_once("/subnets/")?;
    let vnet = world.get(vnet_id, now_ms)?;
    if !vnet
        .type_name
        .eq_ignore_ascii_case("Microsoft.Network/virtualNetworks")
    {
        return None;
    }
    let subnet = subnet_list(&vnet.body).into_iter().find(|s| {
        s["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })?;
    Some((vnet, subnet))
}

/// The id of a private endpoint placed in `subnet_id`, if any.
fn endpoint_in(world: &World, subnet_id: &str, now_ms: u64) -> Option<String> {
    world
        .resources
        .values()
        .filter(|r| r.exists_at(now_ms) && r.type_name.eq_ignore_ascii_case(PRIVATE_ENDPOINTS))
        .find(|r| {
            fields::get_str(&r.body, "properties.subnet.id")
                .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
        })
        .map(|r| r.id.clone())
}

fn in_use(subnet_id: &str, pe: &str) -> ArmError {
    ArmError::bad_request(
        "InUseSubnetCannotBeDeleted",
        format!(
            "Subnet {subnet_id} is in use by {pe} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet."
        ),
    )
}

/// An update may not drop a subnet a private endpoint is in.
fn check_removed_subnets(
    world: &World,
    existing: &StoredResource,
    kept: &[Value],
    now_ms: u64,
) -> ArmResult<()> {
    for old in subnet_list(&existing.body) {
        let name = old["name"].as_str().unwrap_or_default();
        let still = kept.iter().any(|k| {
            k["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        let subnet_id = format!("{}/subnets/{name}", existing.id);
        if let (false, Some(pe)) = (still, endpoint_in(world, &subnet_id, now_ms)) {
            return Err(in_use(&subnet_id, &pe));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn cidr_blocks_parse_contain_and_overlap() {
        let vnet = Cidr::parse("10.0.0.0/16").unwrap();
        let a = Cidr::parse("10.0.1.0/24").unwrap();
        let b = Cidr::parse("10.0.1.128/25").unwrap();
        let outside = Cidr::parse("10.1.0.0/24").unwrap();
        assert!(vnet.contains(a) && vnet.contains(b) && !vnet.contains(outside));
        assert!(a.overlaps(b) && b.overlaps(a) && !a.overlaps(outside));
        assert!(
            Cidr::parse("10.0.0.1/16")
                .unwrap_err()
                .contains("10.0.0.0/16")
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0/8").is_err());
        assert_eq!(Cidr::parse("0.0.0.0/0").unwrap().to_string(), "0.0.0.0/0");
    }
}
