// rabbitmq.com/v1beta1 RabbitmqCluster has no npm model: this is the part of its CRD
// (RabbitMQ Cluster Operator 2.x) the manifests may use. Nested Kubernetes types are validated
// with kubernetes-models' own schemas, tracked for unknown fields like every other document.
import { track, unknownFields } from "./tracking.mjs";

const str = { type: "string" };
const int = { type: "integer" };
const bool = { type: "boolean" };
const quantity = { type: "quantity" };
const k8s = (name) => ({ k8s: name });
const obj = (properties, required = []) => ({ properties, required });
const arr = (items) => ({ items });
const map = (values) => ({ map: values });
const free = { free: true };

const metadata = k8s("IoK8sApimachineryPkgApisMetaV1ObjectMeta");

const schema = obj({
  apiVersion: str,
  kind: str,
  metadata,
  spec: obj({
    replicas: int,
    image: str,
    imagePullSecrets: arr(k8s("IoK8sApiCoreV1LocalObjectReference")),
    service: obj({ type: str, annotations: map(str), ipFamilyPolicy: str }),
    persistence: obj({ storageClassName: str, storage: quantity }),
    resources: k8s("IoK8sApiCoreV1ResourceRequirements"),
    affinity: k8s("IoK8sApiCoreV1Affinity"),
    tolerations: arr(k8s("IoK8sApiCoreV1Toleration")),
    rabbitmq: obj({
      additionalPlugins: arr(str),
      additionalConfig: str,
      advancedConfig: str,
      envConfig: str,
      erlangInetConfig: str,
    }),
    tls: obj({ secretName: str, caSecretName: str, disableNonTLSListeners: bool }),
    override: obj({ statefulSet: free, service: free }),
    skipPostDeploySteps: bool,
    terminationGracePeriodSeconds: int,
    delayStartSeconds: int,
    autoEnableAllFeatureFlags: bool,
    secretBackend: obj({ vault: free, externalSecret: obj({ name: str }) }),
  }),
  status: free,
}, ["apiVersion", "kind", "metadata", "spec"]);

async function k8sValidator(name) {
  const pkg = name.startsWith("IoK8sApimachinery") ? "@kubernetes-models/apimachinery" : "kubernetes-models";
  return (await import(`${pkg}/_schemas/${name}`)).validate;
}

async function check(value, node, path, problems) {
  if (node.free) {
    return;
  }
  if (node.type === "quantity") {
    if (typeof value !== "string" && typeof value !== "number") problems.push(`${path} must be a quantity`);
    return;
  }
  if (node.type === "integer") {
    if (!Number.isInteger(value)) problems.push(`${path} must be an integer`);
    return;
  }
  if (node.type) {
    if (typeof value !== node.type) problems.push(`${path} must be a ${node.type}`);
    return;
  }
  if (node.k8s) {
    const validate = await k8sValidator(node.k8s);
    const { proxy, reads } = track(value, path);
    if (!validate(proxy)) {
      problems.push(...validate.errors.map((e) => `schema: ${e.instancePath || path} ${e.message}`));
    }
    problems.push(...unknownFields(reads).map((p) => `unknown field ${p}`));
    return;
  }
  if (node.items) {
    if (!Array.isArray(value)) return void problems.push(`${path} must be an array`);
    for (const [i, item] of value.entries()) await check(item, node.items, `${path}/${i}`, problems);
    return;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return void problems.push(`${path} must be an object`);
  }
  if (node.map) {
    for (const [k, v] of Object.entries(value)) await check(v, node.map, `${path}/${k}`, problems);
    return;
  }
  for (const key of node.required) {
    if (value[key] === undefined) problems.push(`schema: ${path} must have required property ${key}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const child = node.properties[key];
    if (child) await check(v, child, `${path}/${key}`, problems);
    else problems.push(`unknown field ${path}/${key}`);
  }
}

export async function validateRabbitmqCluster(doc) {
  const problems = [];
  await check(doc, schema, "", problems);
  return problems;
}
