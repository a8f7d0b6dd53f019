import { randomBytes } from "node:crypto";
import type { AddressInfo, Server, Socket } from "node:net";
import rhea, { type Connection, type Container, type EventContext, type Message, type Receiver, type Sender } from "rhea";
import { PartitionLog, type PartitionSnapshot, type StoredEvent } from "./partition-log.js";
import { partitionForKey } from "./partition-key.js";
import { InvalidSelectorError, firstSequenceNumber, parseSelectorFilter } from "./start-position.js";
import { claimCovers, verifySasToken } from "./sas-claims.js";

export interface EventHubDefinition {
  name: string;
  partitionCount: number;
  /** `$default` always exists; list the others. */
  consumerGroups?: string[];
}

export interface EventHubsEmulatorOptions {
  hubs: EventHubDefinition[];
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  /** Retained events per partition; older ones are evicted like expired retention. Default 10 000. */
  maxEventsPerPartition?: number;
  /** Largest accepted AMQP message (a whole batch), as on the Standard tier. Default 1 MiB. */
  maxMessageSizeBytes?: number;
  /** Time source for enqueued times and token expiry; defaults to the wall clock. */
  now?: () => number;
}

export interface PublishOptions {
  partitionKey?: string;
  partitionId?: string;
  properties?: Record<string, string | number | boolean>;
}

export interface PublishedEvent {
  hub: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc: Date;
}

export interface EventHubsEmulatorStats {
  connections: number;
  /** Receiver links currently reading, by `hub/consumerGroup/partition`. */
  readers: Record<string, number>;
  published: number;
  delivered: number;
  rejectedMessages: number;
  rejectedLinks: number;
  tokensAccepted: number;
  tokensRejected: number;
  managementRequests: number;
  hubs: Record<string, { partitions: PartitionSnapshot[] }>;
}

export interface RunningEventHubsEmulator {
  /** Namespace connection string (no EntityPath): pass the hub name to the client. */
  connectionString: string;
  /** The same with `EntityPath=hub`. */
  connectionStringFor(hub: string): string;
  host: string;
  port: number;
  /**
   * Enqueues one event as Azure would deliver it. A Buffer or string body is sent as raw bytes in a
   * data section (what diagnostic settings and action groups publish); anything else as its JSON.
   */
  publish(hub: string, body: unknown, options?: PublishOptions): PublishedEvent;
  stats(): EventHubsEmulatorStats;
  /** Cuts every client connection at the socket, as a network failure would. Returns how many were cut. */
  dropConnections(): number;
  stop(): Promise<void>;
}

/** The development key the official emulator documents; not a secret. */
export const EMULATOR_KEY_NAME = "RootManageSharedAccessKey";
const BATCH_FORMAT = 0x80013700;
const EPOCH_PROPERTY = "com.microsoft:epoch";
const MAX_NON_EPOCH_READERS = 5;

interface Hub {
  name: string;
  createdAt: Date;
  partitions: PartitionLog[];
  consumerGroups: Set<string>;
  nextRoundRobin: number;
}

interface Reader {
  link: Sender;
  hub: Hub;
  log: PartitionLog;
  key: string;
  next: number;
  epoch: number | undefined;
  /** Deliveries handed to rhea on this link (including credit consumed by a drain). */
  queued: number;
}

type LinkRole =
  | { kind: "request"; service: "$cbs" | "$management" }
  | { kind: "ingest"; hub: Hub; partition: number | undefined }
  | { kind: "reply" }
  | { kind: "reader"; reader: Reader };

interface ConnectionState {
  claims: string[];
  replyLinks: Map<string, Sender>;
  pendingReplies: Map<Sender, Message[]>;
}

export async function startEventHubsEmulator(options: EventHubsEmulatorOptions): Promise<RunningEventHubsEmulator> {
  const now = options.now ?? Date.now;
  const maxEvents = options.maxEventsPerPartition ?? 10_000;
  const maxMessageSize = options.maxMessageSizeBytes ?? 1024 * 1024;
  const key = randomBytes(32).toString("base64");
  const hubs = new Map<string, Hub>();
  for (const def of options.hubs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(def.name)) {
      throw new Error(`Event hub name '${def.name}' is invalid: use letters, digits, '.', '_' and '-', starting with a letter or digit.`);
    }
    if (!Number.isInteger(def.partitionCount) || def.partitionCount < 1 || def.partitionCount > 32) {
      throw new Error(`Event hub '${def.name}' has partitionCount ${def.partitionCount}: use a whole number from 1 to 32.`);
    }
    if (hubs.has(def.name.toLowerCase())) throw new Error(`Event hub '${def.name}' is defined twice: hub names are case-insensitive.`);
    hubs.set(def.name.toLowerCase(), {
      name: def.name,
      createdAt: new Date(now()),
      partitions: Array.from({ length: def.partitionCount }, (_, i) => new PartitionLog(String(i), maxEvents, now)),
      consumerGroups: new Set(["$default", ...(def.consumerGroups ?? [])].map((g) => g.toLowerCase())),
      nextRoundRobin: 0,
    });
  }

  const counters = { published: 0, delivered: 0, rejectedMessages: 0, rejectedLinks: 0, tokensAccepted: 0, tokensRejected: 0, managementRequests: 0 };
  const roles = new WeakMap<object, LinkRole>();
  const connections = new Map<Connection, ConnectionState>();
  const readers = new Map<string, Reader[]>();
  const sockets = new Set<Socket>();

  const container: Container = rhea.create_container({ id: "apim-dr-eventhubs-emulator", autoaccept: false });
  container.sasl_server_mechanisms.enable_anonymous();

  function stateOf(connection: Connection): ConnectionState {
    let state = connections.get(connection);
    if (!state) {
      state = { claims: [], replyLinks: new Map(), pendingReplies: new Map() };
      connections.set(connection, state);
    }
    return state;
  }

  function refuse(link: Sender | Receiver, condition: string, description: string): void {
    counters.rejectedLinks++;
    link.close({ condition, description });
  }

  function authorized(connection: Connection, address: string): boolean {
    return stateOf(connection).claims.some((claim) => claimCovers(claim, address));
  }

  function hubNamed(name: string): Hub | undefined {
    return hubs.get(name.toLowerCase());
  }

  // --- links opened by the client -------------------------------------------------------------

  container.on("receiver_open", (context: EventContext) => {
    const link = context.receiver!;
    const address = String(link.target?.address ?? "");
    link.set_target({ address });
    if (address === "$cbs" || address === "$management") {
      roles.set(link, { kind: "request", service: address });
      link.add_credit(1000);
      return;
    }
    const match = /^([^/]+)(?:\/Partitions\/([^/]+))?$/i.exec(address);
    const hub = match ? hubNamed(match[1]!) : undefined;
    if (!match || !hub) {
      return refuse(link, "amqp:not-found", `The messaging entity '${address}' could not be found. Use a hub name or hub/Partitions/N; hubs: ${[...hubs.values()].map((h) => h.name).join(", ")}.`);
    }
    if (!authorized(context.connection, address)) {
      return refuse(link, "amqp:unauthorized-access", `Unauthorized access to '${address}': put a token for it on $cbs first.`);
    }
    let partition: number | undefined;
    if (match[2] !== undefined) {
      partition = Number(match[2]);
      if (!Number.isInteger(partition) || partition < 0 || partition >= hub.partitions.length) {
        return refuse(link, "amqp:not-found", `Partition '${match[2]}' does not exist in event hub '${hub.name}' (partitions 0-${hub.partitions.length - 1}).`);
      }
    }
    roles.set(link, { kind: "ingest", hub, partition });
    // rhea has no setter for the attach frame's max-message-size; the SDK sizes its batches from it.
    (link as unknown as { local: { attach: { max_message_size: number } } }).local.attach.max_message_size = maxMessageSize;
    link.add_credit(1000);
  });

  container.on("sender_open", (context: EventContext) => {
    const link = context.sender!;
    const source = link.source ?? {};
    const address = String(source.address ?? "");
    link.set_source({ address, ...(source.filter ? { filter: source.filter } : {}) });
    link.set_target({ address: String(link.target?.address ?? link.name) });
    if (address === "$cbs" || address === "$management") {
      const state = stateOf(context.connection);
      roles.set(link, { kind: "reply" });
      state.replyLinks.set(link.name, link);
      const replyTo = link.target?.address;
      if (replyTo) state.replyLinks.set(String(replyTo), link);
      return;
    }
    openReader(context.connection, link, address);
  });

  function openReader(connection: Connection, link: Sender, address: string): void {
    const match = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/i.exec(address);
    const hub = match ? hubNamed(match[1]!) : undefined;
    if (!match || !hub) {
      return refuse(link, "amqp:not-found", `The messaging entity '${address}' could not be found. Receive from hub/ConsumerGroups/<group>/Partitions/<n>.`);
    }
    const group = match[2]!.toLowerCase();
    if (!hub.consumerGroups.has(group)) {
      return refuse(link, "amqp:not-found", `Consumer group '${match[2]}' does not exist in event hub '${hub.name}'; add it to the emulator's hub definition.`);
    }
    const partition = Number(match[3]);
    const log = hub.partitions[partition];
    if (!Number.isInteger(partition) || !log) {
      return refuse(link, "amqp:not-found", `Partition '${match[3]}' does not exist in event hub '${hub.name}' (partitions 0-${hub.partitions.length - 1}).`);
    }
    if (!authorized(connection, address)) {
      return refuse(link, "amqp:unauthorized-access", `Unauthorized access to '${address}': put a token for it on $cbs first.`);
    }
    let start;
    try {
      start = parseSelectorFilter(selectorOf(link.source?.filter));
    } catch (error) {
      if (error instanceof InvalidSelectorError) return refuse(link, "com.microsoft:argument-error", error.message);
      throw error;
    }
    const rawEpoch: unknown = link.properties?.[EPOCH_PROPERTY];
    const epoch = rawEpoch === undefined || rawEpoch === null ? undefined : Number(rawEpoch);
    const key = `${hub.name}/${group}/${log.partitionId}`;
    const current = readers.get(key) ?? [];
    const refusal = epochConflict(current, epoch);
    if (refusal) return refuse(link, refusal.condition, refusal.description);
    if (epoch !== undefined) {
      // An owner-level receiver takes the partition: everyone with a lower or equal epoch, and every
      // plain receiver, is disconnected, which the SDK reports as ReceiverDisconnectedError.
      for (const other of current) {
        other.link.close({
          condition: "amqp:link:stolen",
          description: `New receiver with higher epoch of '${epoch}' is created hence current receiver with epoch '${other.epoch ?? "none"}' is getting disconnected.`,
        });
        removeReader(other);
      }
    }
    const reader: Reader = { link, hub, log, key, next: firstSequenceNumber(log, start), epoch, queued: 0 };
    readers.set(key, [...(readers.get(key) ?? []), reader]);
    roles.set(link, { kind: "reader", reader });
    pump(reader);
  }

  function epochConflict(current: Reader[], epoch: number | undefined): { condition: string; description: string } | undefined {
    const epochs = current.map((r) => r.epoch).filter((e): e is number => e !== undefined);
    const highest = epochs.length ? Math.max(...epochs) : undefined;
    if (epoch === undefined && highest !== undefined) {
      return { condition: "amqp:link:stolen", description: `A receiver with epoch '${highest}' already exists for this partition and consumer group; receivers without an owner level cannot join it.` };
    }
    if (epoch !== undefined && highest !== undefined && epoch < highest) {
      return { condition: "amqp:link:stolen", description: `Receiver with epoch '${epoch}' cannot be created because a receiver with a higher epoch '${highest}' already exists.` };
    }
    if (epoch === undefined && current.length >= MAX_NON_EPOCH_READERS) {
      return { condition: "amqp:resource-limit-exceeded", description: `Exceeded the maximum number of allowed receivers per partition in a consumer group which is ${MAX_NON_EPOCH_READERS}.` };
    }
    return undefined;
  }

  function removeReader(reader: Reader): void {
    const list = readers.get(reader.key);
    if (!list) return;
    const rest = list.filter((r) => r !== reader);
    if (rest.length) readers.set(reader.key, rest);
    else readers.delete(reader.key);
  }

  /**
   * Credit the reader may still use. rhea lowers `credit` only when a transfer goes on the wire and
   * queues everything else without bound, so count what was handed to it instead:
   * credit + delivery_count is what the receiver's last flow granted in total.
   */
  function remainingCredit(reader: Reader): number {
    const link = reader.link as Sender & { credit: number; delivery_count: number };
    return link.credit + link.delivery_count - reader.queued;
  }

  /** Sends what the reader's credit allows, never more. */
  function pump(reader: Reader): void {
    const { link, log } = reader;
    while (link.is_open() && link.sendable() && remainingCredit(reader) > 0 && reader.next < log.endSequenceNumber) {
      if (reader.next < log.beginSequenceNumber) reader.next = log.beginSequenceNumber;
      link.send(toDelivery(log.get(reader.next)!));
      reader.queued++;
      reader.next++;
      counters.delivered++;
    }
  }

  function pumpPartition(hub: Hub, log: PartitionLog): void {
    for (const [key, list] of readers) {
      if (key.startsWith(`${hub.name}/`) && key.endsWith(`/${log.partitionId}`)) list.forEach((r) => r.log === log && pump(r));
    }
  }

  for (const event of ["sendable", "accepted", "settled"] as const) {
    container.on(event, (context: EventContext) => {
      const role = context.sender && roles.get(context.sender);
      if (role?.kind === "reader") pump(role.reader);
      if (role?.kind === "reply") flushReplies(context.connection, context.sender!);
    });
  }

  container.on("sender_draining", (context: EventContext) => {
    const role = context.sender && roles.get(context.sender);
    if (role?.kind === "reader") {
      pump(role.reader);
      // The drain consumes whatever credit is left, so it must not be spent later.
      role.reader.queued += Math.max(remainingCredit(role.reader), 0);
    }
    context.sender?.set_drained(true);
  });

  for (const event of ["sender_close", "sender_error"] as const) {
    container.on(event, (context: EventContext) => {
      const role = context.sender && roles.get(context.sender);
      if (role?.kind === "reader") removeReader(role.reader);
    });
  }

  function forgetConnection(connection: Connection): void {
    for (const list of [...readers.values()]) list.filter((r) => r.link.connection === connection).forEach(removeReader);
    connections.delete(connection);
  }
  container.on("connection_close", (context: EventContext) => forgetConnection(context.connection));
  container.on("disconnected", (context: EventContext) => forgetConnection(context.connection));
  container.on("connection_open", (context: EventContext) => ignoreFramesOnEndedSessions(context.connection));
  // A client that vanishes mid-frame must not take the emulator down.
  container.on("error", () => undefined);
  container.on("connection_error", () => undefined);

  // --- messages from the client -----------------------------------------------------------------

  container.on("message", (context: EventContext) => {
    const link = context.receiver!;
    const role = roles.get(link);
    const delivery = context.delivery!;
    if (role?.kind === "request") {
      delivery.accept();
      const reply = role.service === "$cbs" ? handleCbs(context.connection, context.message!) : handleManagement(context.connection, context.message!);
      sendReply(context.connection, context.message!, reply);
      return;
    }
    if (role?.kind !== "ingest") return;
    const raw = context.message as unknown;
    const format = (context as EventContext & { format?: number }).format;
    try {
      const size = Buffer.isBuffer(raw) ? raw.length : rhea.message.encode(raw).length;
      if (size > maxMessageSize) {
        counters.rejectedMessages++;
        delivery.reject({ condition: "amqp:link:message-size-exceeded", description: `The received message (size ${size} bytes) exceeds the limit (${maxMessageSize} bytes) currently allowed on the link.` });
        return;
      }
      const events = format === BATCH_FORMAT ? unbatch(raw as Buffer) : [{ message: raw as Message, size }];
      const envelopeKey = format === BATCH_FORMAT ? partitionKeyOf(decodeMessage(raw as Buffer)) : undefined;
      for (const { message, size: eventSize } of events) {
        enqueue(role.hub, message, eventSize, role.partition, partitionKeyOf(message) ?? envelopeKey);
      }
      delivery.accept();
    } catch (error) {
      counters.rejectedMessages++;
      delivery.reject({ condition: "amqp:decode-error", description: `The message could not be decoded: ${(error as Error).message}` });
    }
  });

  function enqueue(hub: Hub, message: Message, size: number, partition: number | undefined, partitionKey: string | undefined): StoredEvent & { partitionId: string } {
    const index =
      partition ??
      (partitionKey !== undefined ? partitionForKey(partitionKey, hub.partitions.length) : hub.nextRoundRobin++ % hub.partitions.length);
    const log = hub.partitions[index]!;
    const stored = log.append(message, size, partitionKey);
    counters.published++;
    pumpPartition(hub, log);
    return { ...stored, partitionId: log.partitionId };
  }

  // --- $cbs and $management ----------------------------------------------------------------------

  function handleCbs(connection: Connection, request: Message): Message {
    const props = request.application_properties ?? {};
    if (props.operation !== "put-token") {
      return status(400, `Unsupported $cbs operation '${String(props.operation)}'; only put-token is supported.`);
    }
    const claim = verifySasToken(request.body, EMULATOR_KEY_NAME, key, now());
    if (!claim.ok) {
      counters.tokensRejected++;
      return status(claim.status, claim.description);
    }
    counters.tokensAccepted++;
    stateOf(connection).claims.push(claim.path);
    return status(202, "Accepted");
  }

  function handleManagement(connection: Connection, request: Message): Message {
    counters.managementRequests++;
    const props = request.application_properties ?? {};
    if (props.operation !== "READ") return status(400, `Unsupported $management operation '${String(props.operation)}'; only READ is supported.`);
    const hub = hubNamed(String(props.name ?? ""));
    if (!hub) return status(404, `The messaging entity '${String(props.name)}' could not be found.`);
    if (!authorized(connection, `${hub.name}/$management`)) {
      return status(401, `Unauthorized access to '${hub.name}/$management': put a token for it on $cbs first.`);
    }
    if (props.type === "com.microsoft:eventhub") {
      return {
        ...status(200, "OK"),
        body: {
          name: hub.name,
          type: "com.microsoft:eventhub",
          created_at: hub.createdAt,
          partition_count: hub.partitions.length,
          partition_ids: hub.partitions.map((p) => p.partitionId),
        },
      };
    }
    if (props.type === "com.microsoft:partition") {
      const log = hub.partitions.find((p) => p.partitionId === String(props.partition));
      if (!log) return status(404, `Partition '${String(props.partition)}' does not exist in event hub '${hub.name}'.`);
      const s = log.snapshot();
      return {
        ...status(200, "OK"),
        body: {
          name: hub.name,
          type: "com.microsoft:partition",
          partition: s.partitionId,
          begin_sequence_number: rhea.types.wrap_long(s.beginSequenceNumber),
          last_enqueued_sequence_number: rhea.types.wrap_long(s.lastEnqueuedSequenceNumber),
          last_enqueued_offset: s.lastEnqueuedOffset,
          last_enqueued_time_utc: new Date(s.lastEnqueuedTimeUtc),
          is_partition_empty: s.isEmpty,
        },
      };
    }
    return status(400, `Unsupported $management READ type '${String(props.type)}'; use com.microsoft:eventhub or com.microsoft:partition.`);
  }

  function status(code: number, description: string): Message {
    return { application_properties: { "status-code": code, "status-description": description } } as unknown as Message;
  }

  function sendReply(connection: Connection, request: Message, reply: Message): void {
    const state = stateOf(connection);
    const link = state.replyLinks.get(String(request.reply_to ?? ""));
    if (!link) return;
    const queue = state.pendingReplies.get(link) ?? [];
    queue.push({ ...reply, correlation_id: request.message_id, to: request.reply_to } as Message);
    state.pendingReplies.set(link, queue);
    flushReplies(connection, link);
  }

  function flushReplies(connection: Connection, link: Sender): void {
    const queue = connections.get(connection)?.pendingReplies.get(link);
    while (queue?.length && link.is_open() && link.sendable()) link.send(queue.shift()!);
  }

  // --- server lifecycle ---------------------------------------------------------------------------

  const server: Server = container.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  /**
   * A plain destroy() emits only 'close', which rhea does not listen to: the connection would keep its
   * heartbeat timer (and the process alive after stop) and its readers. An error reaches rhea's
   * disconnect handling, which clears both.
   */
  const cutAll = (why: string) => {
    for (const socket of sockets) socket.destroy(Object.assign(new Error(why), { code: "ECONNRESET" }));
  };
  const port = (server.address() as AddressInfo).port;
  const host = "127.0.0.1";
  const connectionString = `Endpoint=sb://${host}:${port};SharedAccessKeyName=${EMULATOR_KEY_NAME};SharedAccessKey=${key};UseDevelopmentEmulator=true`;
  let stopped = false;

  return {
    connectionString,
    connectionStringFor: (hub) => `${connectionString};EntityPath=${requireHub(hub).name}`,
    host,
    port,
    publish(hubName, body, publishOptions = {}) {
      const hub = requireHub(hubName);
      let partition: number | undefined;
      if (publishOptions.partitionId !== undefined) {
        partition = Number(publishOptions.partitionId);
        if (!Number.isInteger(partition) || !hub.partitions[partition]) {
          throw new Error(`Partition '${publishOptions.partitionId}' does not exist in event hub '${hub.name}' (partitions 0-${hub.partitions.length - 1}).`);
        }
      }
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body), "utf8");
      const message = {
        body: rhea.message.data_section(bytes),
        ...(publishOptions.properties ? { application_properties: publishOptions.properties } : {}),
        ...(publishOptions.partitionKey !== undefined ? { message_annotations: { "x-opt-partition-key": publishOptions.partitionKey } } : {}),
      } as Message;
      const stored = enqueue(hub, message, rhea.message.encode(message).length, partition, publishOptions.partitionKey);
      return {
        hub: hub.name,
        partitionId: stored.partitionId,
        sequenceNumber: stored.sequenceNumber,
        offset: String(stored.offset),
        enqueuedTimeUtc: new Date(stored.enqueuedTime),
      };
    },
    stats() {
      return {
        connections: sockets.size,
        readers: Object.fromEntries([...readers].map(([k, list]) => [k, list.length])),
        ...counters,
        hubs: Object.fromEntries([...hubs.values()].map((h) => [h.name, { partitions: h.partitions.map((p) => p.snapshot()) }])),
      };
    },
    dropConnections() {
      const count = sockets.size;
      cutAll("connection cut by the emulator");
      return count;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      cutAll("the emulator stopped");
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function requireHub(name: string): Hub {
    const hub = hubNamed(name);
    if (!hub) throw new Error(`Event hub '${name}' is not defined in the emulator; defined: ${[...hubs.values()].map((h) => h.name).join(", ")}.`);
    return hub;
  }
}

/**
 * A consumer closing while deliveries are in flight can still send dispositions (and flow) on a session
 * it has just ended (seen with @azure/event-hubs 6); Event Hubs drops them, whereas rhea throws a
 * ProtocolError and cuts the whole connection, other sessions included. Drop them here too.
 */
function ignoreFramesOnEndedSessions(connection: Connection): void {
  const internals = connection as unknown as Record<string, unknown> & { remote_channel_map: Record<number, unknown> };
  for (const name of ["on_disposition", "on_flow", "on_transfer"]) {
    const original = internals[name] as (frame: { channel: number }) => void;
    internals[name] = (frame: { channel: number }) => {
      if (internals.remote_channel_map[frame.channel]) original.call(connection, frame);
    };
  }
}

/** The selector string from a source filter map, whichever way rhea hands the described value over. */
function selectorOf(filter: unknown): string | undefined {
  if (!filter || typeof filter !== "object") return undefined;
  const entry = (filter as Record<string, unknown>)["apache.org:selector-filter:string"];
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object" && "value" in entry) {
    const value = (entry as { value: unknown }).value;
    if (typeof value === "string") return value;
    if (value && typeof value === "object" && "value" in value) return String((value as { value: unknown }).value);
  }
  return undefined;
}

function partitionKeyOf(message: Message): string | undefined {
  const key: unknown = message.message_annotations?.["x-opt-partition-key"];
  return typeof key === "string" ? key : undefined;
}

/** Splits a batch (format 0x80013700: one data section per encoded event) into its events. */
function unbatch(raw: Buffer): { message: Message; size: number }[] {
  const envelope = decodeMessage(raw);
  const body = envelope.body as { typecode?: number; content?: Buffer | Buffer[]; multiple?: boolean } | undefined;
  if (!body || body.typecode !== 0x75 || body.content === undefined) {
    throw new Error("a batched message (format 0x80013700) must carry its events as data sections");
  }
  const parts = Array.isArray(body.content) && body.multiple !== false ? body.content : [body.content as Buffer];
  return parts.map((part) => ({ message: decodeMessage(part), size: part.length }));
}

function decodeMessage(bytes: Buffer): Message {
  return rhea.message.decode(bytes) as unknown as Message;
}

/** The message a consumer receives: the publisher's message plus the broker's annotations. */
function toDelivery(event: StoredEvent): Message {
  const { message } = event;
  return {
    ...message,
    message_annotations: {
      ...(message.message_annotations ?? {}),
      "x-opt-sequence-number": rhea.types.wrap_long(event.sequenceNumber),
      "x-opt-offset": String(event.offset),
      "x-opt-enqueued-time": new Date(event.enqueuedTime),
      ...(event.partitionKey !== undefined ? { "x-opt-partition-key": event.partitionKey } : {}),
    },
  } as Message;
}
