//! The envelope's `region`: `eventRegion`, with Tencent's legacy short codes expanded.
//!
//! Source of the table: Tencent Cloud Monitor's region list
//! (<https://cloud.tencent.com/document/product/248/50863>, columns 地域缩写 / region),
//! cross-checked against the region values documented in Tencent's API SDKs
//! (Anti-DDoS `IPRegion`, WAF `Region`: `ca` Toronto, `ru` Russia, `de` Frankfurt, ...)
//! and the region names of Tencent's API docs (`ap-*`, `na-*`, `eu-*`, `sa-*`).
//! Only codes whose long name is certain are listed; anything else (including codes of
//! retired or internal regions) passes through unchanged, so no region is ever invented.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::lenient;

/// Legacy short code → region name.
const SHORT_CODES: &[(&str, &str)] = &[
    // Mainland China
    ("bj", "ap-beijing"),
    ("bjjr", "ap-beijing-fsi"),
    ("cd", "ap-chengdu"),
    ("cq", "ap-chongqing"),
    ("gz", "ap-guangzhou"),
    ("gzopen", "ap-guangzhou-open"),
    ("nj", "ap-nanjing"),
    ("qy", "ap-qingyuan"),
    ("sh", "ap-shanghai"),
    ("shjr", "ap-shanghai-fsi"),
    ("szjr", "ap-shenzhen-fsi"),
    ("szx", "ap-shenzhen"),
    ("tsn", "ap-tianjin"),
    // Edge zones
    ("cgoec", "ap-zhengzhou-ec"),
    ("csec", "ap-changsha-ec"),
    ("fzec", "ap-fuzhou-ec"),
    ("hfeec", "ap-hefei-ec"),
    ("hzec", "ap-hangzhou-ec"),
    ("jnec", "ap-jinan-ec"),
    ("sheec", "ap-shenyang-ec"),
    ("sjwec", "ap-shijiazhuang-ec"),
    ("whec", "ap-wuhan-ec"),
    ("xiyec", "ap-xian-ec"),
    // Hong Kong, Macao, Taiwan
    ("hk", "ap-hongkong"),
    ("tpe", "ap-taipei"),
    // Rest of the world
    ("ca", "na-toronto"),
    ("de", "eu-frankfurt"),
    ("in", "ap-mumbai"),
    ("jkt", "ap-jakarta"),
    ("jp", "ap-tokyo"),
    ("kr", "ap-seoul"),
    ("ru", "eu-moscow"),
    ("sao", "sa-saopaulo"),
    ("sg", "ap-singapore"),
    ("th", "ap-bangkok"),
    ("use", "na-ashburn"),
    ("usw", "na-siliconvalley"),
];

/// Prefixes of Tencent region names, used to spot a region label in an endpoint host.
const REGION_PREFIXES: &[&str] = &["ap-", "na-", "eu-", "sa-", "me-", "af-"];

/// `eventRegion` expanded; when it is absent or empty, the region label of the
/// `eventSource` host (`cam.ap-guangzhou.api.tencentyun.com` → `ap-guangzhou`); else `""`.
pub(crate) fn region_of(record: &Map<String, Value>) -> String {
    if let Some(region) = lenient::scalar_text(record.get("eventRegion")) {
        return expand(&region).into_owned();
    }
    lenient::string(record.get("eventSource"))
        .and_then(region_in_endpoint)
        .unwrap_or_default()
}

/// The long name for a legacy short code (case-insensitive); other values unchanged.
pub fn expand(region: &str) -> Cow<'_, str> {
    let lowered = region.to_ascii_lowercase();
    match SHORT_CODES.iter().find(|(short, _)| *short == lowered) {
        Some((_, long)) => Cow::Borrowed(*long),
        None => Cow::Borrowed(region),
    }
}

fn region_in_endpoint(endpoint: &str) -> Option<String> {
    let host = super::endpoint::host(endpoint);
    host.split('.')
        .skip(1)
        .find(|label| {
            REGION_PREFIXES
                .iter()
                .any(|prefix| label.starts_with(prefix))
                && label.len() > 3
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn region(record: Value) -> String {
        region_of(record.as_object().expect("object"))
    }

    #[test]
    fn short_codes_expand() {
        for (short, long) in [
            ("gz", "ap-guangzhou"),
            ("sh", "ap-shanghai"),
            ("bj", "ap-beijing"),
            ("cd", "ap-chengdu"),
            ("cq", "ap-chongqing"),
            ("hk", "ap-hongkong"),
            ("sg", "ap-singapore"),
            ("shjr", "ap-shanghai-fsi"),
            ("szjr", "ap-shenzhen-fsi"),
            ("tpe", "ap-taipei"),
            ("th", "ap-bangkok"),
            ("jkt", "ap-jakarta"),
            ("ca", "na-toronto"),
            ("usw", "na-siliconvalley"),
            ("use", "na-ashburn"),
            ("de", "eu-frankfurt"),
            ("ru", "eu-moscow"),
            ("jp", "ap-tokyo"),
            ("in", "ap-mumbai"),
            ("kr", "ap-seoul"),
            ("nj", "ap-nanjing"),
            ("GZ", "ap-guangzhou"),
        ] {
            assert_eq!(expand(short), long, "{short}");
        }
    }

    #[test]
    fn table_has_no_duplicate_codes() {
        let mut codes: Vec<&str> = SHORT_CODES.iter().map(|(short, _)| *short).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), before);
    }

    #[test]
    fn unknown_and_long_forms_pass_through() {
        assert_eq!(expand("ap-guangzhou"), "ap-guangzhou");
        assert_eq!(expand("xx"), "xx");
        assert_eq!(expand("Mars-1"), "Mars-1");
    }

    #[test]
    fn region_comes_from_event_region_first() {
        assert_eq!(
            region(
                json!({"eventRegion": "ap-guangzhou", "eventSource": "cloudaudit.ap-chongqing.api.tencentyun.com"})
            ),
            "ap-guangzhou"
        );
        assert_eq!(region(json!({"eventRegion": "gz"})), "ap-guangzhou");
    }

    #[test]
    fn missing_region_falls_back_to_the_endpoint_then_empty() {
        assert_eq!(
            region(
                json!({"eventRegion": "", "eventSource": "cam.ap-guangzhou.api.tencentyun.com"})
            ),
            "ap-guangzhou"
        );
        assert_eq!(
            region(json!({"eventSource": "https://cvm.na-ashburn.tencentcloudapi.com/"})),
            "na-ashburn"
        );
        assert_eq!(
            region(json!({"eventSource": "cvm.tencentcloudapi.com"})),
            ""
        );
        assert_eq!(
            region(json!({"eventSource": "cdb.api.qcloud.com/v2/index.php"})),
            ""
        );
        assert_eq!(region(json!({})), "");
    }
}
