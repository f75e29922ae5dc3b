//! Reading `eventSource` endpoints such as `cvm.tencentcloudapi.com`,
//! `cam.ap-guangzhou.api.tencentyun.com` or, in 2017 records,
//! `cdb.api.qcloud.com/v2/index.php`.

/// The host part: scheme, path, port and case removed.
pub(crate) fn host(endpoint: &str) -> String {
    let trimmed = endpoint.trim();
    let without_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    let host_and_port = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host_and_port.split(':').next().unwrap_or_default();
    host.to_ascii_lowercase()
}

/// The first DNS label of the host (`cdb.api.qcloud.com/v2/index.php` → `cdb`), which
/// names the product; `None` when there is no host.
pub(crate) fn first_label(endpoint: &str) -> Option<String> {
    let host = host(endpoint);
    let label = host.split('.').next().unwrap_or_default();
    (!label.is_empty()).then(|| label.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_first_labels() {
        assert_eq!(
            host("cdb.api.qcloud.com/v2/index.php"),
            "cdb.api.qcloud.com"
        );
        assert_eq!(
            host("https://CVM.tencentcloudapi.com:443/x"),
            "cvm.tencentcloudapi.com"
        );
        assert_eq!(
            first_label("cdb.api.qcloud.com/v2/index.php").as_deref(),
            Some("cdb")
        );
        assert_eq!(
            first_label("cam.ap-guangzhou.api.tencentyun.com").as_deref(),
            Some("cam")
        );
        assert_eq!(first_label("  ").as_deref(), None);
        assert_eq!(first_label("/v2/index.php").as_deref(), None);
    }
}
