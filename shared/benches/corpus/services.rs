//! The services and operations in the corpus, with realistic request and response shapes.
//!
//! Shapes follow Tencent Cloud API 3.0 (PascalCase parameters, `RequestId` in every
//! response) and include the awkward parts rules reach into: arrays of objects
//! (security-group ingress, account privileges, tags), nested objects, numbers.

use serde_json::{json, Map, Value};

use super::rng::Rng;
use super::world::{Account, Kind, REGIONS};

/// One operation: its name, whether it writes, and the kind of resource it acts on.
pub struct Op {
    pub name: &'static str,
    pub write: bool,
    pub kind: Option<Kind>,
}

const fn w(name: &'static str, kind: Kind) -> Op {
    Op {
        name,
        write: true,
        kind: Some(kind),
    }
}
const fn r(name: &'static str, kind: Kind) -> Op {
    Op {
        name,
        write: false,
        kind: Some(kind),
    }
}
const fn w0(name: &'static str) -> Op {
    Op {
        name,
        write: true,
        kind: None,
    }
}

pub struct Service {
    pub product: &'static str,
    pub ops: &'static [Op],
}

/// Busiest first; operations busiest first within a service.
pub const SERVICES: &[Service] = &[
    Service {
        product: "cvm",
        ops: &[
            w("StopInstances", Kind::Instance),
            w("StartInstances", Kind::Instance),
            w("RunInstances", Kind::Instance),
            w("RebootInstances", Kind::Instance),
            w("ModifyInstancesAttribute", Kind::Instance),
            w("TerminateInstances", Kind::Instance),
            r("DescribeInstances", Kind::Instance),
            w("ResetInstancesPassword", Kind::Instance),
            w("AttachDisks", Kind::Disk),
            w("CreateDisks", Kind::Disk),
            w("DetachDisks", Kind::Disk),
            w("CreateImage", Kind::Image),
            w("ResetInstance", Kind::Instance),
            w("DeleteImages", Kind::Image),
            w("AssociateInstancesKeyPairs", Kind::KeyPair),
            w("ImportKeyPair", Kind::KeyPair),
        ],
    },
    Service {
        product: "cos",
        ops: &[
            w("PutObject", Kind::Bucket),
            w("DeleteObject", Kind::Bucket),
            r("GetObject", Kind::Bucket),
            w("DeleteMultipleObjects", Kind::Bucket),
            w("PutObjectACL", Kind::Bucket),
            w("PutBucketACL", Kind::Bucket),
            w("PutBucketPolicy", Kind::Bucket),
            w("PutBucket", Kind::Bucket),
            w("PutBucketCORS", Kind::Bucket),
            w("PutBucketLifecycle", Kind::Bucket),
            w("DeleteBucketPolicy", Kind::Bucket),
            w("DeleteBucket", Kind::Bucket),
        ],
    },
    Service {
        product: "vpc",
        ops: &[
            w("CreateSecurityGroupPolicies", Kind::SecurityGroup),
            w("ModifySecurityGroupPolicies", Kind::SecurityGroup),
            w("DeleteSecurityGroupPolicies", Kind::SecurityGroup),
            w("ReplaceSecurityGroupPolicy", Kind::SecurityGroup),
            w("AllocateAddresses", Kind::Eip),
            w("AssociateAddress", Kind::Eip),
            r("DescribeSecurityGroups", Kind::SecurityGroup),
            w("CreateSecurityGroup", Kind::SecurityGroup),
            w("ReleaseAddresses", Kind::Eip),
            w("CreateSubnet", Kind::Subnet),
            w("DeleteSecurityGroup", Kind::SecurityGroup),
            w("CreateVpc", Kind::Vpc),
            w("DeleteVpc", Kind::Vpc),
        ],
    },
    Service {
        product: "cam",
        ops: &[
            w0("AttachUserPolicy"),
            w0("DetachUserPolicy"),
            w0("CreateUser"),
            w0("AddUserToGroup"),
            w0("AttachRolePolicy"),
            w0("CreateAccessKey"),
            w0("UpdateAccessKey"),
            w0("CreatePolicy"),
            w0("DeleteUser"),
            w0("DeleteAccessKey"),
            w0("CreateRole"),
            w0("UpdateAssumeRolePolicy"),
            w0("DeletePolicy"),
        ],
    },
    Service {
        product: "scf",
        ops: &[
            w("Invoke", Kind::Function),
            w("UpdateFunctionCode", Kind::Function),
            w("UpdateFunctionConfiguration", Kind::Function),
            w("PublishVersion", Kind::Function),
            w("CreateFunction", Kind::Function),
            w("CreateTrigger", Kind::Function),
            w("DeleteTrigger", Kind::Function),
            w("DeleteFunction", Kind::Function),
        ],
    },
    Service {
        product: "cdb",
        ops: &[
            w("CreateBackup", Kind::Cdb),
            w("ModifyAccountPassword", Kind::Cdb),
            w("ModifyAccountPrivileges", Kind::Cdb),
            w("CreateAccounts", Kind::Cdb),
            r("DescribeDBInstances", Kind::Cdb),
            w("ModifyDBInstanceSecurityGroups", Kind::Cdb),
            w("OpenWanService", Kind::Cdb),
            w("CreateDBInstance", Kind::Cdb),
            w("DeleteAccounts", Kind::Cdb),
            w("IsolateDBInstance", Kind::Cdb),
        ],
    },
    Service {
        product: "tke",
        ops: &[
            w("AddExistedInstances", Kind::Cluster),
            w("DeleteClusterInstances", Kind::Cluster),
            w("CreateClusterNodePool", Kind::Cluster),
            w("ModifyClusterEndpointSP", Kind::Cluster),
            r("DescribeClusters", Kind::Cluster),
            w("CreateClusterEndpoint", Kind::Cluster),
            w("CreateCluster", Kind::Cluster),
            w("DeleteClusterNodePool", Kind::Cluster),
            w("DeleteCluster", Kind::Cluster),
        ],
    },
    Service {
        product: "clb",
        ops: &[
            w("RegisterTargets", Kind::Clb),
            w("DeregisterTargets", Kind::Clb),
            w("CreateListener", Kind::Clb),
            w("ModifyLoadBalancerAttributes", Kind::Clb),
            w("DeleteListener", Kind::Clb),
            w("CreateLoadBalancer", Kind::Clb),
            w("DeleteLoadBalancer", Kind::Clb),
        ],
    },
    Service {
        product: "cls",
        ops: &[
            w("ModifyTopic", Kind::LogTopic),
            w("CreateIndex", Kind::LogTopic),
            w("CreateTopic", Kind::LogTopic),
            w("CreateShipper", Kind::LogTopic),
            w("DeleteTopic", Kind::LogTopic),
        ],
    },
    Service {
        product: "kms",
        ops: &[
            r("Decrypt", Kind::KmsKey),
            r("GenerateDataKey", Kind::KmsKey),
            w("CreateKey", Kind::KmsKey),
            w("EnableKeyRotation", Kind::KmsKey),
            w("DisableKey", Kind::KmsKey),
            w("ScheduleKeyDeletion", Kind::KmsKey),
            w("CancelKeyDeletion", Kind::KmsKey),
        ],
    },
    Service {
        product: "redis",
        ops: &[
            w("ModifyNetworkConfig", Kind::Redis),
            w("UpgradeInstance", Kind::Redis),
            w("ModfiyInstancePassword", Kind::Redis),
            w("CreateInstances", Kind::Redis),
            w("ResetPassword", Kind::Redis),
            w("ClearInstance", Kind::Redis),
            w("DestroyPostpaidInstance", Kind::Redis),
        ],
    },
    Service {
        product: "ssm",
        ops: &[
            r("GetSecretValue", Kind::Secret),
            w("PutSecretValue", Kind::Secret),
            w("UpdateSecret", Kind::Secret),
            w("RotateCredential", Kind::Secret),
            w("CreateSecret", Kind::Secret),
            w("DeleteSecret", Kind::Secret),
        ],
    },
    Service {
        product: "cloudaudit",
        ops: &[
            r("LookUpEvents", Kind::Track),
            w("ModifyAuditTrack", Kind::Track),
            w("CreateAuditTrack", Kind::Track),
            w("StopLogging", Kind::Track),
            w("StartLogging", Kind::Track),
            w("DeleteAuditTrack", Kind::Track),
        ],
    },
];

/// What one call looked like: request, response and the resources it touched.
pub struct Call {
    pub request: Value,
    pub response: Value,
    /// `type/id` resource parts (the `resourceName` form).
    pub resource_names: Vec<String>,
}

/// Everything the parameter builders need about the call being made.
pub struct CallSite<'a> {
    pub account: &'a Account,
    pub region: &'static str,
    pub request_id: &'a str,
}

/// Builds the request/response of `op` on `service`.
pub fn call(service: &Service, op: &Op, site: &CallSite<'_>, rng: &mut Rng) -> Call {
    let account = site.account;
    let mut ids: Vec<String> = Vec::new();
    if let Some(kind) = op.kind {
        let count = if op.name.ends_with("Instances") && rng.chance(0.4) {
            rng.between(2, 4) as usize
        } else {
            1
        };
        for _ in 0..count {
            ids.push(rng.pick_skewed(account.pool(kind)).clone());
        }
    }
    let first = ids.first().cloned().unwrap_or_default();
    let mut request = Map::new();
    let mut response = Map::new();
    let mut resource_names: Vec<String> = op
        .kind
        .map(|kind| {
            ids.iter()
                .map(|id| format!("{}/{id}", kind.qcs_type()))
                .collect()
        })
        .unwrap_or_default();
    let p = &mut request;
    match (service.product, op.name) {
        ("cvm", "RunInstances") => {
            let count = if rng.chance(0.9) {
                rng.between(1, 3)
            } else {
                rng.between(4, 50)
            };
            p.insert(
                "InstanceChargeType".into(),
                json!(rng.pick(&["POSTPAID_BY_HOUR", "PREPAID", "SPOTPAID"])),
            );
            p.insert("Placement".into(), json!({"Zone": format!("{}-{}", site.region, rng.between(1, 4)), "ProjectId": rng.pick(&[0, 0, 1_000_123, 1_000_456])}));
            p.insert(
                "InstanceType".into(),
                json!(rng.pick(&[
                    "S5.MEDIUM4",
                    "S5.LARGE8",
                    "SA3.2XLARGE16",
                    "M6.4XLARGE64",
                    "GN7.2XLARGE32"
                ])),
            );
            p.insert("ImageId".into(), json!(rng.pick(account.pool(Kind::Image))));
            p.insert(
                "SystemDisk".into(),
                json!({"DiskType": "CLOUD_PREMIUM", "DiskSize": rng.pick(&[50, 50, 100, 200])}),
            );
            p.insert("DataDisks".into(), json!([{"DiskType": "CLOUD_SSD", "DiskSize": rng.pick(&[100, 500, 1000, 4000]), "DeleteWithInstance": rng.chance(0.7)}]));
            p.insert("VirtualPrivateCloud".into(), json!({"VpcId": rng.pick(account.pool(Kind::Vpc)), "SubnetId": rng.pick(account.pool(Kind::Subnet)), "AsVpcGateway": false}));
            p.insert("InternetAccessible".into(), json!({"InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR", "InternetMaxBandwidthOut": rng.pick(&[0, 1, 5, 10, 100, 200]), "PublicIpAssigned": rng.chance(0.3)}));
            p.insert("InstanceCount".into(), json!(count));
            p.insert(
                "InstanceName".into(),
                json!(format!(
                    "{}-{}",
                    rng.pick(&["web", "worker", "bastion", "gpu-train", "db-proxy"]),
                    rng.alnum(4)
                )),
            );
            p.insert(
                "LoginSettings".into(),
                json!({"KeyIds": [rng.pick(account.pool(Kind::KeyPair))]}),
            );
            p.insert(
                "SecurityGroupIds".into(),
                json!([rng.pick(account.pool(Kind::SecurityGroup))]),
            );
            p.insert("TagSpecification".into(), json!([{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": rng.pick(&["prod", "staging", "dev"])}, {"Key": "team", "Value": rng.pick(&["payments", "platform", "data"])}]}]));
            let created: Vec<String> = (0..count.min(3))
                .map(|_| rng.pick(account.pool(Kind::Instance)).clone())
                .collect();
            resource_names = created.iter().map(|id| format!("instance/{id}")).collect();
            response.insert("InstanceIdSet".into(), json!(created));
        }
        ("cvm", "DescribeInstances") => {
            p.insert("Filters".into(), json!([{"Name": "zone", "Values": [format!("{}-3", site.region)]}, {"Name": "instance-state", "Values": ["RUNNING"]}]));
            p.insert("Limit".into(), json!(100));
            p.insert("Offset".into(), json!(0));
            response.insert("TotalCount".into(), json!(rng.between(0, 400)));
        }
        ("cvm", "ResetInstancesPassword") => {
            p.insert("InstanceIds".into(), json!(ids));
            p.insert(
                "UserName".into(),
                json!(rng.pick(&["root", "ubuntu", "Administrator"])),
            );
            p.insert("Password".into(), json!("***"));
            p.insert("ForceStop".into(), json!(rng.chance(0.5)));
        }
        ("cvm", "ModifyInstancesAttribute") => {
            p.insert("InstanceIds".into(), json!(ids));
            p.insert(
                "InstanceName".into(),
                json!(format!("web-{}", rng.alnum(4))),
            );
            p.insert(
                "SecurityGroups".into(),
                json!([rng.pick(account.pool(Kind::SecurityGroup))]),
            );
            p.insert("DisableApiTermination".into(), json!(rng.chance(0.2)));
        }
        ("cvm", "AttachDisks" | "DetachDisks" | "CreateDisks") => {
            p.insert("DiskIds".into(), json!(ids));
            p.insert(
                "InstanceId".into(),
                json!(rng.pick(account.pool(Kind::Instance))),
            );
            p.insert(
                "DiskSize".into(),
                json!(rng.pick(&[50, 100, 500, 2000, 16000])),
            );
            p.insert(
                "DiskType".into(),
                json!(rng.pick(&["CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_HSSD"])),
            );
        }
        ("cvm", "CreateImage" | "DeleteImages") => {
            p.insert("ImageIds".into(), json!(ids));
            p.insert(
                "InstanceId".into(),
                json!(rng.pick(account.pool(Kind::Instance))),
            );
            p.insert(
                "ImageName".into(),
                json!(format!("golden-{}", rng.between(100, 999))),
            );
        }
        ("cvm", "ResetInstance") => {
            p.insert("InstanceId".into(), json!(first));
            p.insert("ImageId".into(), json!(rng.pick(account.pool(Kind::Image))));
            p.insert("LoginSettings".into(), json!({"KeepImageLogin": "TRUE"}));
        }
        ("cvm", "ImportKeyPair" | "AssociateInstancesKeyPairs") => {
            p.insert("KeyIds".into(), json!(ids));
            p.insert(
                "InstanceIds".into(),
                json!([rng.pick(account.pool(Kind::Instance))]),
            );
            p.insert(
                "KeyName".into(),
                json!(format!("{}-laptop", rng.pick(&["alice", "bob", "ci"]))),
            );
            p.insert(
                "PublicKey".into(),
                json!(format!(
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} user@host",
                    rng.alnum(43)
                )),
            );
            p.insert("ProjectId".into(), json!(0));
        }
        ("cvm", _) => {
            p.insert("InstanceIds".into(), json!(ids));
            if op.name == "StopInstances" {
                p.insert(
                    "StopType".into(),
                    json!(rng.pick(&["SOFT", "HARD", "SOFT_FIRST"])),
                );
                p.insert(
                    "StoppedMode".into(),
                    json!(rng.pick(&["KEEP_CHARGING", "STOP_CHARGING"])),
                );
            }
            if op.name == "TerminateInstances" {
                p.insert("ReleasePrepaidDataDisks".into(), json!(rng.chance(0.5)));
            }
        }
        ("vpc", name) if name.contains("SecurityGroupPolic") => {
            let rules = rng.between(1, 4);
            let ingress: Vec<Value> = (0..rules)
                .map(|index| {
                    let open = rng.chance(0.12);
                    json!({
                        "PolicyIndex": index,
                        "Protocol": rng.pick(&["TCP", "TCP", "UDP", "ICMP", "ALL"]),
                        "Port": if open { rng.pick(&["22", "3389", "ALL"]).to_string() } else { rng.pick(&["80", "443", "8080", "22", "3306", "6379", "30000-32767"]).to_string() },
                        "CidrBlock": if open { "0.0.0.0/0".to_string() } else { format!("10.{}.0.0/16", rng.between(0, 40)) },
                        "Action": if rng.chance(0.9) { "ACCEPT" } else { "DROP" },
                        "PolicyDescription": rng.pick(&["web", "ssh from office", "temporary debug", "", "k8s nodeport"]),
                    })
                })
                .collect();
            p.insert("SecurityGroupId".into(), json!(first));
            p.insert(
                "SecurityGroupPolicySet".into(),
                json!({"Version": rng.between(1, 90).to_string(), "Ingress": ingress}),
            );
        }
        ("vpc", "CreateSecurityGroup" | "DeleteSecurityGroup" | "DescribeSecurityGroups") => {
            p.insert("SecurityGroupId".into(), json!(first));
            p.insert(
                "GroupName".into(),
                json!(format!(
                    "sg-{}",
                    rng.pick(&["web", "db", "bastion", "default"])
                )),
            );
            p.insert("GroupDescription".into(), json!("managed by terraform"));
            p.insert("ProjectId".into(), json!("0"));
        }
        ("vpc", "AllocateAddresses" | "AssociateAddress" | "ReleaseAddresses") => {
            p.insert("AddressIds".into(), json!(ids));
            p.insert("AddressCount".into(), json!(rng.between(1, 3)));
            p.insert(
                "InternetChargeType".into(),
                json!("TRAFFIC_POSTPAID_BY_HOUR"),
            );
            p.insert(
                "InternetMaxBandwidthOut".into(),
                json!(rng.pick(&[1, 10, 100, 1000])),
            );
            p.insert(
                "InstanceId".into(),
                json!(rng.pick(account.pool(Kind::Instance))),
            );
            response.insert("AddressSet".into(), json!(ids));
        }
        ("vpc", _) => {
            p.insert("VpcId".into(), json!(rng.pick(account.pool(Kind::Vpc))));
            p.insert("SubnetId".into(), json!(first));
            p.insert(
                "CidrBlock".into(),
                json!(format!(
                    "10.{}.{}.0/24",
                    rng.between(0, 255),
                    rng.between(0, 255)
                )),
            );
            p.insert(
                "Zone".into(),
                json!(format!("{}-{}", site.region, rng.between(1, 4))),
            );
        }
        ("cos", _) => {
            p.insert("Bucket".into(), json!(first));
            if op.name.contains("Object") {
                let dir = rng.pick(&[
                    "uploads",
                    "backups/db",
                    "static/img",
                    "exports",
                    "logs/2024",
                    "keys",
                ]);
                let ext = rng.pick(&[
                    ".png", ".jpg", ".json", ".tar.gz", ".sql", ".csv", ".log", ".pem", ".env",
                ]);
                let key = format!("{dir}/{}{ext}", rng.alnum(10));
                p.insert("Key".into(), json!(key));
                p.insert("Content-Length".into(), json!(rng.between(10, 50_000_000)));
                p.insert("Content-Type".into(), json!("application/octet-stream"));
                resource_names = vec![format!("{first}/{key}")];
            } else {
                resource_names = vec![format!("{first}/*")];
            }
            if op.name.contains("ACL") || op.name == "PutBucket" {
                p.insert(
                    "x-cos-acl".into(),
                    json!(rng.pick(&[
                        "private",
                        "private",
                        "private",
                        "public-read",
                        "public-read-write"
                    ])),
                );
            }
            if op.name == "PutBucketPolicy" {
                p.insert("Policy".into(), json!({"Statement": [{"Principal": {"qcs": [if rng.chance(0.2) { "*".to_string() } else { format!("qcs::cam::uin/{}:uin/{}", account.uin, account.uin) }]}, "Effect": "Allow", "Action": ["name/cos:GetObject"], "Resource": [format!("qcs::cos:{}:uid/{}:{first}/*", site.region, account.app_id)]}], "version": "2.0"}));
            }
            p.insert("Region".into(), json!(site.region));
        }
        ("cam", name) => {
            let target = rng.pick(&account.callers);
            p.insert("AttachUin".into(), json!(target.principal_id));
            p.insert("TargetUin".into(), json!(target.principal_id));
            p.insert(
                "PolicyId".into(),
                json!(rng.pick(&[1, 2, 219_188, 5_671_233, 100_003_411])),
            );
            if name.contains("Role") {
                p.insert(
                    "RoleName".into(),
                    json!(rng.pick(&["CI-Deploy", "Breakglass-Admin", "ReadOnly-Audit"])),
                );
                p.insert("PolicyDocument".into(), json!({"version": "2.0", "statement": [{"action": "name/sts:AssumeRole", "effect": "allow", "principal": {"qcs": [format!("qcs::cam::uin/{}:root", rng.between(100_000_000_000, 100_099_999_999))]}}]}));
            }
            if name.contains("User") {
                p.insert("Name".into(), json!(target.user_name));
                p.insert("ConsoleLogin".into(), json!(rng.pick(&[0, 1])));
                p.insert("UseApi".into(), json!(rng.pick(&[0, 1])));
            }
            if name.contains("AccessKey") {
                p.insert("AccessKeyId".into(), json!(target.secret_id));
                p.insert("Status".into(), json!(rng.pick(&["Active", "Inactive"])));
            }
            resource_names = vec![format!("uin/{}", target.principal_id)];
        }
        ("scf", _) => {
            p.insert("FunctionName".into(), json!(first));
            p.insert(
                "Namespace".into(),
                json!(rng.pick(&["default", "default", "prod", "batch"])),
            );
            p.insert(
                "Runtime".into(),
                json!(rng.pick(&["Python3.9", "Nodejs16.13", "Go1", "CustomRuntime"])),
            );
            p.insert(
                "MemorySize".into(),
                json!(rng.pick(&[128, 256, 512, 1024, 3072])),
            );
            p.insert("Timeout".into(), json!(rng.pick(&[3, 30, 60, 900])));
            if op.name != "Invoke" {
                p.insert("Environment".into(), json!({"Variables": [{"Key": "LOG_LEVEL", "Value": "info"}, {"Key": "STAGE", "Value": rng.pick(&["prod", "dev"])}]}));
            }
            if op.name == "CreateTrigger" {
                p.insert(
                    "Type".into(),
                    json!(rng.pick(&["timer", "cos", "apigw", "ckafka"])),
                );
            }
        }
        ("cdb", name) => {
            p.insert("InstanceId".into(), json!(first));
            if name.contains("Account") {
                p.insert("Accounts".into(), json!([{"User": rng.pick(&["root", "app", "readonly", "etl"]), "Host": rng.pick(&["%", "%", "10.0.%"])}]));
            }
            if name == "ModifyAccountPrivileges" {
                let privileges: &[&str] = if rng.chance(0.15) {
                    &["ALL"]
                } else {
                    &["SELECT", "INSERT", "UPDATE"]
                };
                p.insert("GlobalPrivileges".into(), json!(privileges));
            }
            if name == "ModifyAccountPassword" {
                p.insert("NewPassword".into(), json!("***"));
            }
            if name == "CreateDBInstance" {
                p.insert(
                    "Memory".into(),
                    json!(rng.pick(&[1000, 4000, 8000, 16000, 64000])),
                );
                p.insert("Volume".into(), json!(rng.pick(&[50, 200, 1000])));
                p.insert("EngineVersion".into(), json!(rng.pick(&["5.7", "8.0"])));
            }
            if name == "ModifyDBInstanceSecurityGroups" {
                p.insert(
                    "SecurityGroupIds".into(),
                    json!([rng.pick(account.pool(Kind::SecurityGroup))]),
                );
            }
        }
        ("tke", name) => {
            p.insert("ClusterId".into(), json!(first));
            if name.contains("Instances") {
                p.insert(
                    "InstanceIds".into(),
                    json!([
                        rng.pick(account.pool(Kind::Instance)),
                        rng.pick(account.pool(Kind::Instance))
                    ]),
                );
                p.insert("InstanceDeleteMode".into(), json!("retain"));
            }
            if name.contains("Endpoint") {
                p.insert("IsExtranet".into(), json!(rng.chance(0.3)));
                p.insert(
                    "SecurityPolicies".into(),
                    json!([format!("{}.0/24", rng.pick(super::world::OFFICE_BLOCKS))]),
                );
            }
            if name.contains("NodePool") {
                p.insert("AutoScalingGroupPara".into(), json!({"MaxSize": rng.between(3, 100), "MinSize": 1, "DesiredCapacity": rng.between(1, 10)}));
            }
        }
        ("clb", _) => {
            p.insert("LoadBalancerId".into(), json!(first));
            p.insert("ListenerId".into(), json!(format!("lbl-{}", rng.alnum(8))));
            p.insert("Targets".into(), json!([{"InstanceId": rng.pick(account.pool(Kind::Instance)), "Port": rng.pick(&[80, 8080, 443]), "Weight": 10}]));
        }
        ("cls", _) => {
            p.insert("TopicId".into(), json!(first));
            p.insert(
                "TopicName".into(),
                json!(format!(
                    "{}-logs",
                    rng.pick(&["nginx", "app", "audit", "k8s"])
                )),
            );
            p.insert("Period".into(), json!(rng.pick(&[7, 30, 90, 180, 3600])));
        }
        ("kms", name) => {
            p.insert("KeyId".into(), json!(first));
            if name == "ScheduleKeyDeletion" {
                p.insert("PendingWindowInDays".into(), json!(rng.between(7, 30)));
            }
            if name == "CreateKey" {
                p.insert(
                    "Alias".into(),
                    json!(format!("{}-key", rng.pick(&["payments", "backup", "tls"]))),
                );
                p.insert("KeyUsage".into(), json!("ENCRYPT_DECRYPT"));
            }
            if name == "GenerateDataKey" {
                p.insert("KeySpec".into(), json!("AES_256"));
            }
        }
        ("redis", name) => {
            p.insert("InstanceId".into(), json!(first));
            if name.contains("Password") {
                p.insert("Password".into(), json!("***"));
                p.insert("NoAuth".into(), json!(rng.chance(0.1)));
            }
            if name == "UpgradeInstance" || name == "CreateInstances" {
                p.insert(
                    "MemSize".into(),
                    json!(rng.pick(&[1024, 4096, 16384, 65536])),
                );
            }
            if name == "ModifyNetworkConfig" {
                p.insert(
                    "Operation".into(),
                    json!(rng.pick(&["changeVip", "changeVpc", "changeBaseToVpc"])),
                );
            }
        }
        ("ssm", _) => {
            p.insert("SecretName".into(), json!(first));
            p.insert(
                "VersionId".into(),
                json!(format!("v{}", rng.between(1, 40))),
            );
        }
        ("cloudaudit", name) => {
            p.insert("AuditName".into(), json!(first));
            if name == "LookUpEvents" {
                p.insert("LookupAttributes".into(), json!([{"AttributeKey": "EventName", "AttributeValue": rng.pick(&["StopLogging", "DeleteUser", "ConsoleLogin"])}]));
                p.insert("MaxResults".into(), json!(50));
            } else {
                p.insert(
                    "CosBucketName".into(),
                    json!(rng.pick(account.pool(Kind::Bucket))),
                );
                p.insert("IsEnableCmqNotify".into(), json!(0));
                p.insert("ReadWriteAttribute".into(), json!(rng.pick(&[1, 2, 3])));
            }
        }
        _ => {}
    }
    p.insert("Version".into(), json!("2017-03-12"));
    p.insert("Action".into(), json!(op.name));
    p.insert("Region".into(), json!(site.region));
    if rng.chance(0.3) {
        p.insert("RequestSource".into(), json!("MC"));
    }
    response.insert("RequestId".into(), json!(site.request_id));
    Call {
        request: Value::Object(request),
        response: Value::Object(response),
        resource_names,
    }
}

/// A region for a call: mostly the account's home regions.
pub fn region(rng: &mut Rng) -> &'static str {
    let region: &&'static str = rng.pick_skewed(REGIONS);
    region
}
