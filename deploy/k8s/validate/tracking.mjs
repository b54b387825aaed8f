// Records which properties a schema validator reads, so fields no schema knows can be reported.

const isObject = (v) => v !== null && typeof v === "object";

/** Wraps value (recursively, lazily) in Proxies; reads collects one entry per object reached. */
export function track(value, path = "", reads = []) {
  if (!isObject(value)) {
    return { proxy: value, reads };
  }
  const entry = { node: value, path, read: new Set(), enumerated: false };
  reads.push(entry);
  const children = new Map();
  const proxy = new Proxy(value, {
    get(target, prop, receiver) {
      const result = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string") {
        return result;
      }
      // Reads of absent properties count too: they show the schema has a field list here.
      entry.read.add(prop);
      if (!Object.hasOwn(target, prop)) {
        return result;
      }
      if (!isObject(result)) {
        return result;
      }
      if (!children.has(prop)) {
        children.set(prop, track(result, `${path}/${prop}`, reads).proxy);
      }
      return children.get(prop);
    },
    has(target, prop) {
      if (typeof prop === "string") {
        entry.read.add(prop);
      }
      return Reflect.has(target, prop);
    },
    ownKeys(target) {
      // A validator that enumerates keys treats the object as a map: every key is checked by it.
      entry.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return { proxy, reads };
}

/**
 * Problems: fields no schema read, and non-empty objects the validator never looked into at all
 * (a free-form field, x-kubernetes-preserve-unknown-fields): nothing checked their field names, so
 * they are rejected too rather than passed unseen.
 */
export function unknownFields(reads) {
  const unknown = [];
  for (const { node, path, read, enumerated } of reads) {
    if (Array.isArray(node) || enumerated) {
      continue;
    }
    if (read.size === 0) {
      if (Object.keys(node).length > 0) {
        unknown.push(`${path} (free-form: no schema checks its fields ${Object.keys(node).join(", ")})`);
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (!read.has(key)) {
        unknown.push(`${path}/${key}`);
      }
    }
  }
  return unknown;
}
