//! Azure clouds (`--cloud public|usgov|china`): for each, the Azure Resource Manager endpoint,
//! the ARM token scope and the Microsoft Entra ID authority host the credentials sign in at.

use std::fmt;
use std::str::FromStr;

use azure_core::cloud::CloudConfiguration;

/// One Azure cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Cloud {
    /// The global Azure cloud (`public`).
    #[default]
    #[value(name = "public")]
    Public,
    /// Azure Government (`usgov`).
    #[value(name = "usgov")]
    UsGov,
    /// Azure operated by 21Vianet in China (`china`).
    #[value(name = "china")]
    China,
}

impl Cloud {
    /// Every cloud, in the order of the `--cloud` help.
    pub const ALL: [Cloud; 3] = [Cloud::Public, Cloud::UsGov, Cloud::China];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGov => "usgov",
            Cloud::China => "china",
        }
    }

    /// The Azure Resource Manager endpoint, without a trailing slash.
    pub fn resource_manager(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::UsGov => "https://management.usgovcloudapi.net",
            Cloud::China => "https://management.chinacloudapi.cn",
        }
    }

    /// The OAuth scope of an ARM access token (`{resource manager}/.default`).
    pub fn scope(self) -> String {
        format!("{}/.default", self.resource_manager())
    }

    /// The Microsoft Entra ID authority host, without a trailing slash.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGov => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The same cloud as azure_core names it (what the Entra credentials use for their
    /// authority host).
    pub(crate) fn azure_core(self) -> CloudConfiguration {
        match self {
            Cloud::Public => CloudConfiguration::AzurePublic,
            Cloud::UsGov => CloudConfiguration::AzureGovernment,
            Cloud::China => CloudConfiguration::AzureChina,
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--cloud` value that names no cloud.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud `{0}`: expected public, usgov or china")]
pub struct UnknownCloud(pub String);

impl FromStr for Cloud {
    type Err = UnknownCloud;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cloud::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownCloud(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_knows_endpoints() {
        assert_eq!("public".parse::<Cloud>(), Ok(Cloud::Public));
        assert_eq!("USGov".parse::<Cloud>(), Ok(Cloud::UsGov));
        assert_eq!("china".parse::<Cloud>(), Ok(Cloud::China));
        assert!("mooncake".parse::<Cloud>().is_err());
        assert_eq!(
            Cloud::UsGov.scope(),
            "https://management.usgovcloudapi.net/.default"
        );
        assert_eq!(
            Cloud::China.authority_host(),
            "https://login.chinacloudapi.cn"
        );
        for cloud in Cloud::ALL {
            assert_eq!(cloud.to_string().parse::<Cloud>(), Ok(cloud));
        }
    }

    #[test]
    fn clap_names_match_from_str() {
        use clap::ValueEnum;
        for cloud in Cloud::ALL {
            assert_eq!(
                <Cloud as ValueEnum>::from_str(cloud.name(), false),
                Ok(cloud)
            );
        }
    }
}
