/**
 * A hand-built CanonicalRecord for formatter tests: an Update Incident (Segura's 336.501,
 * severity 9 / syslog alert) with no time, host or fields unless the test gives them.
 */
import type { CanonicalRecord } from '../../plugin/core/record.js';

export function canonicalRecord(over: Partial<CanonicalRecord> = {}): CanonicalRecord {
  return {
    origin: 'line 1',
    eventId: '336.501',
    name: 'Update Incident',
    severity: '9',
    syslogSeverity: 1,
    productVersion: '3.27.0-4',
    time: undefined,
    host: undefined,
    procId: undefined,
    messageType: undefined,
    fields: [],
    ...over,
  };
}
