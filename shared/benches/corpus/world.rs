//! The fixed cast the corpus is drawn from: accounts, callers, address blocks,
//! regions and per-account resource pools.
//!
//! Events and rules draw from the same pools, so a rule naming a user, an instance or an
//! office network can actually fire, as it would in a real account.

use super::rng::Rng;

/// Regions, busiest first.
pub const REGIONS: &[&str] = &[
    "ap-guangzhou",
    "ap-shanghai",
    "ap-beijing",
    "ap-chengdu",
    "ap-hongkong",
    "ap-singapore",
    "ap-nanjing",
    "na-siliconvalley",
    "eu-frankfurt",
    "ap-tokyo",
];

/// Office and VPN egress blocks callers come from (each a /24), plus the internal
/// ranges SDK calls from inside the cloud use.
pub const OFFICE_BLOCKS: &[&str] = &[
    "203.0.113",
    "198.51.100",
    "192.0.2",
    "101.33.7",
    "119.28.52",
    "43.132.9",
];
pub const INTERNAL_BLOCKS: &[&str] = &["10.0", "10.12", "172.16", "172.21"];

pub const USER_AGENTS: &[&str] = &[
    "SDK_GO_1.0.374",
    "SDK_PYTHON_3.0.1090",
    "TencentCloud-Terraform/1.81.2",
    "TCCLI/3.0.1090.1 (Linux)",
    "console.cloud.tencent.com",
    "SDK_JAVA_3.1.870",
    "SDK_NODEJS_4.0.80",
    "kubernetes/tke-cluster-autoscaler",
];

const FIRST_NAMES: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "wendy",
    "zhang.wei",
    "li.na",
    "wang.fang",
    "liu.yang",
    "chen.jie",
];
const SERVICE_USERS: &[&str] = &[
    "ops-bot",
    "terraform",
    "ci-deployer",
    "backup-agent",
    "monitoring",
    "tke-autoscaler",
];
const ROLE_NAMES: &[&str] = &[
    "TKE_QCSRole",
    "SCF_QcsRole",
    "CI-Deploy",
    "Breakglass-Admin",
    "ReadOnly-Audit",
    "CLS_QcsRole",
    "DataPlatform-ETL",
];

/// Who made a call.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CallerType {
    Root,
    CamUser,
    AssumedRole,
}

impl CallerType {
    pub fn as_str(self) -> &'static str {
        match self {
            CallerType::Root => "Root",
            CallerType::CamUser => "CAMUser",
            CallerType::AssumedRole => "AssumedRole",
        }
    }
}

pub struct Caller {
    pub kind: CallerType,
    pub user_name: String,
    pub principal_id: u64,
    pub secret_id: String,
    /// The address block (first octets) this caller usually works from.
    pub home_block: String,
}

/// Resource kinds with their QCS type segment and id shape.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Instance,
    SecurityGroup,
    Vpc,
    Subnet,
    Disk,
    Image,
    KeyPair,
    Eip,
    Cdb,
    Redis,
    Clb,
    Cluster,
    KmsKey,
    Function,
    Bucket,
    Secret,
    LogTopic,
    Track,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Instance,
        Kind::SecurityGroup,
        Kind::Vpc,
        Kind::Subnet,
        Kind::Disk,
        Kind::Image,
        Kind::KeyPair,
        Kind::Eip,
        Kind::Cdb,
        Kind::Redis,
        Kind::Clb,
        Kind::Cluster,
        Kind::KmsKey,
        Kind::Function,
        Kind::Bucket,
        Kind::Secret,
        Kind::LogTopic,
        Kind::Track,
    ];

    /// The resource-type segment of a QCS name.
    pub fn qcs_type(self) -> &'static str {
        match self {
            Kind::Instance | Kind::Cdb | Kind::Redis => "instance",
            Kind::SecurityGroup => "securitygroup",
            Kind::Vpc => "vpc",
            Kind::Subnet => "subnet",
            Kind::Disk => "disk",
            Kind::Image => "image",
            Kind::KeyPair => "keypair",
            Kind::Eip => "eip",
            Kind::Clb => "clb",
            Kind::Cluster => "cluster",
            Kind::KmsKey => "key",
            Kind::Function => "function",
            Kind::Bucket => "bucket",
            Kind::Secret => "secret",
            Kind::LogTopic => "topic",
            Kind::Track => "track",
        }
    }

    fn new_id(self, rng: &mut Rng, app_id: u64) -> String {
        const FUNCTION_WORDS: &[&str] = &[
            "thumbnail",
            "audit-forwarder",
            "billing-export",
            "webhook",
            "resize",
            "etl",
            "notifier",
            "cleanup",
        ];
        const BUCKET_WORDS: &[&str] = &[
            "logs",
            "backup",
            "static",
            "data-lake",
            "artifacts",
            "uploads",
            "audit",
            "media",
        ];
        match self {
            Kind::Instance => format!("ins-{}", rng.alnum(8)),
            Kind::SecurityGroup => format!("sg-{}", rng.alnum(8)),
            Kind::Vpc => format!("vpc-{}", rng.alnum(8)),
            Kind::Subnet => format!("subnet-{}", rng.alnum(8)),
            Kind::Disk => format!("disk-{}", rng.alnum(8)),
            Kind::Image => format!("img-{}", rng.alnum(8)),
            Kind::KeyPair => format!("skey-{}", rng.alnum(8)),
            Kind::Eip => format!("eip-{}", rng.alnum(8)),
            Kind::Cdb => format!("cdb-{}", rng.alnum(8)),
            Kind::Redis => format!("crs-{}", rng.alnum(8)),
            Kind::Clb => format!("lb-{}", rng.alnum(8)),
            Kind::Cluster => format!("cls-{}", rng.alnum(8)),
            Kind::KmsKey => rng.uuid(),
            Kind::Function => format!("{}-{}", rng.pick(FUNCTION_WORDS), rng.alnum(4)),
            Kind::Bucket => format!("{}-{}-{app_id}", rng.pick(BUCKET_WORDS), rng.alnum(4)),
            Kind::Secret => format!(
                "{}-{}",
                rng.pick(&["db", "api", "oauth", "tls"]),
                rng.alnum(6)
            ),
            Kind::LogTopic => rng.uuid(),
            Kind::Track => format!("track-{}", rng.alnum(6)),
        }
    }
}

pub struct Account {
    pub uin: u64,
    pub app_id: u64,
    pub callers: Vec<Caller>,
    /// Resource ids per [`Kind`] (indexed by `Kind as usize`), busiest first.
    pub pools: Vec<Vec<String>>,
    /// Resource tags per account: `(key, values)`.
    pub tag_values: Vec<(&'static str, Vec<&'static str>)>,
}

impl Account {
    pub fn pool(&self, kind: Kind) -> &[String] {
        &self.pools[kind as usize]
    }
}

pub struct World {
    pub accounts: Vec<Account>,
}

/// Tag keys and values seen on resources.
pub const TAGS: &[(&str, &[&str])] = &[
    ("env", &["prod", "staging", "dev", "sandbox"]),
    (
        "team",
        &[
            "payments", "platform", "data", "security", "growth", "mobile",
        ],
    ),
    ("owner", &["alice", "bob", "zhang.wei", "li.na", "sre"]),
    ("cost-center", &["cc-1001", "cc-2040", "cc-3300"]),
];

impl World {
    pub fn new(seed: u64) -> World {
        let mut rng = Rng::new(seed);
        let accounts = (0..6u64)
            .map(|index| {
                let uin = 100_020_000_000 + index * 1_731_117;
                let app_id = 1_250_000_000 + index * 7_919;
                let mut callers = vec![Caller {
                    kind: CallerType::Root,
                    user_name: "root".into(),
                    principal_id: uin,
                    secret_id: format!("AKID{}", rng.alnum(32)),
                    home_block: rng.pick(OFFICE_BLOCKS).to_string(),
                }];
                for name in SERVICE_USERS {
                    callers.push(Caller {
                        kind: CallerType::CamUser,
                        user_name: (*name).into(),
                        principal_id: uin + 1 + rng.between(0, 900_000),
                        secret_id: format!("AKID{}", rng.alnum(32)),
                        home_block: rng.pick(INTERNAL_BLOCKS).to_string(),
                    });
                }
                for name in FIRST_NAMES {
                    callers.push(Caller {
                        kind: CallerType::CamUser,
                        user_name: (*name).into(),
                        principal_id: uin + 1 + rng.between(0, 900_000),
                        secret_id: format!("AKID{}", rng.alnum(32)),
                        home_block: rng.pick(OFFICE_BLOCKS).to_string(),
                    });
                }
                for role in ROLE_NAMES {
                    callers.push(Caller {
                        kind: CallerType::AssumedRole,
                        user_name: format!("{role}:{}", rng.pick(&["session", "tke", "cli", "ci"])),
                        principal_id: 4_611_686_018_427_000_000 + rng.between(0, 999_999),
                        secret_id: format!("AKID{}", rng.alnum(32)),
                        home_block: rng.pick(INTERNAL_BLOCKS).to_string(),
                    });
                }
                let pools = Kind::ALL
                    .iter()
                    .map(|kind| {
                        let size = match kind {
                            Kind::Instance | Kind::Disk => 400,
                            Kind::Track | Kind::Vpc => 8,
                            _ => 60,
                        };
                        (0..size).map(|_| kind.new_id(&mut rng, app_id)).collect()
                    })
                    .collect();
                let tag_values = TAGS
                    .iter()
                    .map(|(key, values)| (*key, values.to_vec()))
                    .collect();
                Account {
                    uin,
                    app_id,
                    callers,
                    pools,
                    tag_values,
                }
            })
            .collect();
        World { accounts }
    }
}
