import { randomUUID } from "node:crypto";
import type { SimState } from "../state.js";
import { dnsZoneId, type SimDnsRecord } from "../world.js";
import { fail, header, requestIds, requireApiVersion, type ArmRequest, type ArmResponse } from "./http.js";

export const DNS_API_VERSIONS = ["2016-04-01", "2017-09-01", "2017-10-01", "2018-03-01-preview", "2018-05-01", "2023-07-01-preview"] as const;

/** Routes under `.../providers/Microsoft.Network/dnsZones/{zone}`: CNAME record sets and the two list forms. */
export function handleDns(state: SimState, req: ArmRequest, zone: string, rest: string): ArmResponse {
  requireApiVersion(req, DNS_API_VERSIONS, "dnszones/recordsets");
  const { world } = state;
  if (zone.toLowerCase() !== world.dnsZone.toLowerCase()) {
    fail(404, "ResourceNotFound", `The Resource 'Microsoft.Network/dnszones/${zone}' under resource group '${world.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  if (/^\/(recordsets|all|cname)$/i.test(rest) && req.method === "GET") {
    // Only CNAME record sets exist in the simulated zone, so every list form returns the same sets.
    return { status: 200, headers: requestIds(req), body: { value: state.dnsRecords.map((r) => recordBody(state, r)) } };
  }
  const single = /^\/([^/]+)\/([^/]+)$/.exec(rest);
  if (!single) fail(404, "NotFound", `No DNS resource matches '${rest}' in zone '${zone}'.`);
  const [, type, name] = single as unknown as [string, string, string];
  if (type.toUpperCase() !== "CNAME") {
    fail(400, "BadRequest", `The simulator serves CNAME record sets only; '${type}' record sets are not simulated.`);
  }
  const record = state.dnsRecords.find((r) => r.name.toLowerCase() === name.toLowerCase());
  switch (req.method) {
    case "GET":
      if (!record) notFound(state, name);
      return withEtag(req, state, record);
    case "PUT":
      return put(state, req, name, record);
    case "PATCH":
      if (!record) notFound(state, name);
      checkIfMatch(req, record);
      applyProperties(state, record, req.body, true);
      return withEtag(req, state, record);
    case "DELETE":
      if (!record) return { status: 204, headers: requestIds(req) };
      checkIfMatch(req, record);
      state.dnsRecords.splice(state.dnsRecords.indexOf(record), 1);
      record.writes += 1;
      state.events.emit({ type: "dnsChange", recordId: record.id, cname: null, by: "arm", at: new Date().toISOString() });
      return { status: 200, headers: requestIds(req) };
    default:
      fail(405, "MethodNotAllowed", `${req.method} is not supported on DNS record sets.`);
  }
}

function put(state: SimState, req: ArmRequest, name: string, existing: SimDnsRecord | undefined): ArmResponse {
  const ifNoneMatch = header(req, "if-none-match");
  if (ifNoneMatch !== undefined && existing) {
    fail(412, "PreconditionFailed", `The condition '${ifNoneMatch}' in the If-None-Match header was satisfied: the record set '${name}' already exists.`);
  }
  if (existing) {
    checkIfMatch(req, existing);
    applyProperties(state, existing, req.body, false);
    return withEtag(req, state, existing, 200);
  }
  if (header(req, "if-match") !== undefined) {
    fail(412, "PreconditionFailed", `The condition '${header(req, "if-match")}' in the If-Match header was not satisfied: the record set '${name}' does not exist.`);
  }
  if (name === "@") fail(400, "BadRequest", "A CNAME record set can't be created at the zone apex.");
  const record: SimDnsRecord = {
    id: `${dnsZoneId(state.world)}/CNAME/${name}`,
    zone: state.world.dnsZone,
    name,
    cname: null,
    ttl: 3600,
    etag: randomUUID(),
    metadata: null,
    writes: 0,
  };
  state.dnsRecords.push(record);
  applyProperties(state, record, req.body, false);
  return withEtag(req, state, record, 201);
}

function applyProperties(state: SimState, record: SimDnsRecord, body: unknown, patch: boolean): void {
  const props = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (typeof props !== "object" || props === null) {
    fail(400, "BadRequest", "The request body must be a record set: {\"properties\": {\"TTL\": 60, \"CNAMERecord\": {\"cname\": \"target.example\"}}}.");
  }
  if (props.ttl !== undefined && props.TTL === undefined) {
    fail(400, "BadRequest", "Unknown property 'ttl': the record set property is spelled 'TTL'.");
  }
  if (props.cnameRecord !== undefined && props.CNAMERecord === undefined) {
    fail(400, "BadRequest", "Unknown property 'cnameRecord': the record set property is spelled 'CNAMERecord'.");
  }
  const ttl = props.TTL === undefined ? (patch ? record.ttl : 3600) : Number(props.TTL);
  if (!Number.isInteger(ttl) || ttl < 0) fail(400, "BadRequest", `TTL must be a non-negative integer, got ${JSON.stringify(props.TTL)}.`);
  const cnameRecord = props.CNAMERecord as { cname?: unknown } | undefined;
  const cname = cnameRecord === undefined ? (patch ? record.cname : null) : typeof cnameRecord.cname === "string" ? cnameRecord.cname : null;
  // Like Azure: PUT replaces the record set (metadata not sent is removed), PATCH keeps what it does not name.
  if (props.metadata !== undefined) record.metadata = props.metadata as Record<string, string> | null;
  else if (!patch) record.metadata = null;
  state.writeDns(record, cname, ttl, "arm");
}

function checkIfMatch(req: ArmRequest, record: SimDnsRecord): void {
  const ifMatch = header(req, "if-match");
  if (ifMatch === undefined || ifMatch === "*") return;
  if (unquote(ifMatch) !== record.etag) {
    fail(412, "PreconditionFailed", `The condition '${ifMatch}' in the If-Match header was not satisfied. The current etag of record set '${record.name}' is '${record.etag}'.`);
  }
}

function unquote(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function notFound(state: SimState, name: string): never {
  fail(404, "NotFound", `The resource record '${name}' does not exist in resource group '${state.world.resourceGroup}' of subscription '${state.world.subscriptionId}'.`);
}

function withEtag(req: ArmRequest, state: SimState, record: SimDnsRecord, status = 200): ArmResponse {
  // The real DNS ETag header is an unquoted GUID.
  return { status, headers: { ...requestIds(req), etag: record.etag }, body: recordBody(state, record) };
}

export function recordBody(state: SimState, record: SimDnsRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    type: "Microsoft.Network/dnszones/CNAME",
    etag: record.etag,
    properties: {
      ...(record.metadata ? { metadata: record.metadata } : {}),
      TTL: record.ttl,
      fqdn: `${record.name}.${state.world.dnsZone}.`,
      provisioningState: "Succeeded",
      ...(record.cname !== null ? { CNAMERecord: { cname: record.cname } } : {}),
    },
  };
}
