#!/usr/bin/env node
// Validates rendered Kubernetes manifests offline, strictly:
//   1. every document's apiVersion/kind is known (kubernetes-models, @kubernetes-models/keda,
//      gateway-api, cloudnative-pg, or the hand-written RabbitmqCluster schema) and not removed or
//      deprecated (REMOVED below);
//   2. each document passes its model's JSON-schema validation (types, required fields, enums);
//   3. no object carries a field its schema does not define. The models' schemas allow unknown
//      fields (a misspelled "readinesProbe" passes them), so every document is validated through a
//      Proxy that records which properties the schema validator reads: a property never read by the
//      schema of an object whose other properties it did read is unknown. Maps (labels, ConfigMap
//      data, KEDA trigger metadata) are enumerated by the validator, so their keys count as read;
//      a non-empty object no schema looked into at all (free-form) is reported too.
// Usage: kubectl kustomize deploy/k8s/overlays/prod | node deploy/k8s/validate/validate.mjs
//        node deploy/k8s/validate/validate.mjs file.yaml...
// Prints one line per problem and a last line "N documents, M problems"; exits 1 on any problem.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { validateRabbitmqCluster } from "./rabbitmq-cluster.mjs";
import { track, unknownFields } from "./tracking.mjs";

// Group/versions Kubernetes removed (or that a newer GA version replaces): never ship them.
const REMOVED = new Map([
  ["extensions/v1beta1", "removed in Kubernetes 1.16/1.22: use apps/v1, networking.k8s.io/v1"],
  ["apps/v1beta1", "removed in Kubernetes 1.16: use apps/v1"],
  ["apps/v1beta2", "removed in Kubernetes 1.16: use apps/v1"],
  ["autoscaling/v2beta1", "removed in Kubernetes 1.25: use autoscaling/v2"],
  ["autoscaling/v2beta2", "removed in Kubernetes 1.26: use autoscaling/v2"],
  ["policy/v1beta1", "removed in Kubernetes 1.25: use policy/v1"],
  ["networking.k8s.io/v1beta1", "removed in Kubernetes 1.22: use networking.k8s.io/v1"],
  ["batch/v1beta1", "removed in Kubernetes 1.25: use batch/v1"],
  ["discovery.k8s.io/v1beta1", "removed in Kubernetes 1.25: use discovery.k8s.io/v1"],
  ["events.k8s.io/v1beta1", "removed in Kubernetes 1.25: use events.k8s.io/v1"],
  ["rbac.authorization.k8s.io/v1beta1", "removed in Kubernetes 1.22: use rbac.authorization.k8s.io/v1"],
  ["admissionregistration.k8s.io/v1beta1", "removed in Kubernetes 1.22: use admissionregistration.k8s.io/v1"],
  ["apiextensions.k8s.io/v1beta1", "removed in Kubernetes 1.22: use apiextensions.k8s.io/v1"],
  ["storage.k8s.io/v1beta1", "removed in Kubernetes 1.22-1.27: use storage.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta1", "removed in Kubernetes 1.26: use flowcontrol.apiserver.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta2", "removed in Kubernetes 1.29: use flowcontrol.apiserver.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta3", "removed in Kubernetes 1.32: use flowcontrol.apiserver.k8s.io/v1"],
  ["keda.k8s.io/v1alpha1", "KEDA 1.x API, gone since KEDA 2.0: use keda.sh/v1alpha1"],
]);
// Gateway API kinds that are GA in gateway.networking.k8s.io/v1: older versions are deprecated.
const GATEWAY_V1_KINDS = new Set(["Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute"]);

const PACKAGES = [
  { group: "keda.sh", module: "@kubernetes-models/keda" },
  { group: "gateway.networking.k8s.io", module: "@kubernetes-models/gateway-api" },
  { group: "postgresql.cnpg.io", module: "@kubernetes-models/cloudnative-pg" },
];
const CUSTOM = new Map([["rabbitmq.com/v1beta1/RabbitmqCluster", validateRabbitmqCluster]]);

async function modelFor(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const pkg = PACKAGES.find((p) => p.group === group)?.module ?? "kubernetes-models";
  try {
    const mod = await import(`${pkg}/${apiVersion}/${kind}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

// kustomize folds long base64 Secret values over several lines; the API server's base64 decoder
// ignores line breaks, the models' "byte" format does not.
function normalize(doc) {
  if (doc.apiVersion === "v1" && doc.kind === "Secret" && doc.data && typeof doc.data === "object") {
    for (const [key, value] of Object.entries(doc.data)) {
      if (typeof value === "string") doc.data[key] = value.replace(/[\r\n]/g, "");
    }
  }
  return doc;
}

async function validateDocument(doc) {
  const problems = [];
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return ["apiVersion and kind are required strings"];
  }
  const removed = REMOVED.get(apiVersion);
  if (removed) {
    problems.push(`apiVersion ${apiVersion} ${removed}`);
  }
  if (apiVersion.startsWith("gateway.networking.k8s.io/") && apiVersion !== "gateway.networking.k8s.io/v1" && GATEWAY_V1_KINDS.has(kind)) {
    problems.push(`apiVersion ${apiVersion} is deprecated for ${kind}: use gateway.networking.k8s.io/v1`);
  }
  const custom = CUSTOM.get(`${apiVersion}/${kind}`);
  if (custom) {
    return problems.concat(await custom(doc));
  }
  const model = await modelFor(apiVersion, kind);
  if (!model) {
    return problems.concat(`unknown apiVersion/kind ${apiVersion}/${kind} (no schema to validate it against)`);
  }
  const { proxy, reads } = track(normalize(doc));
  try {
    model.prototype.validate.call(proxy);
  } catch (err) {
    problems.push(`schema: ${err.message}`);
  }
  for (const path of unknownFields(reads)) {
    problems.push(`unknown field ${path}`);
  }
  return problems;
}

function readInput(files) {
  if (files.length === 0) {
    return [{ name: "stdin", text: readFileSync(0, "utf8") }];
  }
  return files.map((f) => ({ name: f, text: readFileSync(f, "utf8") }));
}

async function main() {
  let documents = 0;
  let problems = 0;
  for (const { name, text } of readInput(process.argv.slice(2))) {
    // YAML 1.1, as Kubernetes (sigs.k8s.io/yaml) reads it: an unquoted on/yes is a boolean there.
    for (const parsed of parseAllDocuments(text, { version: "1.1" })) {
      if (parsed.errors.length > 0) {
        console.log(`${name}: YAML: ${parsed.errors.map((e) => e.message).join("; ")}`);
        problems++;
        continue;
      }
      const doc = parsed.toJS();
      if (doc === null || doc === undefined) {
        continue;
      }
      documents++;
      const id = `${doc.apiVersion} ${doc.kind} ${doc.metadata?.namespace ?? "-"}/${doc.metadata?.name ?? "?"}`;
      for (const problem of await validateDocument(doc)) {
        console.log(`${id}: ${problem}`);
        problems++;
      }
    }
  }
  console.log(`${documents} documents, ${problems} problems`);
  process.exitCode = problems === 0 && documents > 0 ? 0 : 1;
}

await main();
