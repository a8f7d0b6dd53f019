/** One gateway request, as APIM logs it (the ApiManagementGatewayLogs columns the simulator fills). */
export interface GatewayRequestRecord {
  TimeGenerated: number;
  _ResourceId: string;
  Region: string;
  CorrelationId: string;
  Method: string;
  Url: string;
  Hostname: string;
  ResponseCode: number;
  BackendResponseCode: number;
  TotalTime: number;
  BackendTime: number;
  ApiId: string;
  OperationId: string;
  IsRequestSuccess: boolean;
  CallerIpAddress: string;
  LastErrorReason: string;
}

const MAX_RECORDS = 200_000;

/** Every request the simulated gateways answered: the source of metrics, logs and request counts. */
export class TrafficLog {
  private records: GatewayRequestRecord[] = [];
  private readonly countsByService = new Map<string, number>();

  add(record: GatewayRequestRecord): void {
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    const key = record._ResourceId.toLowerCase();
    this.countsByService.set(key, (this.countsByService.get(key) ?? 0) + 1);
  }

  all(): readonly GatewayRequestRecord[] {
    return this.records;
  }

  between(fromMs: number, toMs: number, resourceId?: string): GatewayRequestRecord[] {
    const id = resourceId?.toLowerCase();
    return this.records.filter(
      (r) => r.TimeGenerated >= fromMs && r.TimeGenerated < toMs && (id === undefined || r._ResourceId.toLowerCase() === id),
    );
  }

  requestCount(resourceId: string): number {
    return this.countsByService.get(resourceId.toLowerCase()) ?? 0;
  }
}

/** `GatewayResponseCodeCategory` as Azure Monitor names it: `2xx`, `4xx`, `5xx`, ... */
export function responseCodeCategory(code: number): string {
  return `${Math.floor(code / 100)}xx`;
}
