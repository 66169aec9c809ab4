/**
 * The three hand-built records behind config-examples/sensage/sample.tsv (three message
 * types from Segura's documentation: a password view, a failed master-key recovery, a
 * report schedule update with hostile characters and fields no column takes).
 */
import type { CanonicalRecord } from '../../../plugin/core/record.js';
import { fields, record } from '../rfc5424/support.js';

export const passwordViewed: CanonicalRecord = record({
  origin: 'line 1',
  eventId: '1',
  name: 'Password Viewed',
  severity: '5',
  syslogSeverity: 5,
  productVersion: '3.27.0-4',
  time: { epochMs: Date.UTC(2024, 2, 5, 17, 7, 9, 250), fraction: '250', offsetMinutes: -180 },
  host: 'pam01.example.com',
  procId: '2231',
  messageType: 'password-view',
  fields: fields([
    ['msg', 'Password viewed'], ['act', 'View'], ['suid', '42'], ['sname', 'Jane Doe'], ['suser', 'jdoe'],
    ['spriv', 'User'], ['spid', '2231'], ['src', '10.0.0.15'], ['dvc', '10.0.0.2'], ['dst', '10.20.30.40'],
    ['dhost', 'db-prod-01'], ['duser', 'postgres'], ['duid', '1337'],
  ]),
});

export const failedRecovery: CanonicalRecord = record({
  origin: 'line 2',
  eventId: '102',
  name: 'Failed recovery attempt',
  severity: '7',
  syslogSeverity: 3,
  productVersion: '3.27.0-4',
  time: { epochMs: Date.UTC(2024, 2, 5, 17, 7, 10), fraction: '', offsetMinutes: 0 },
  host: 'pam01.example.com',
  procId: undefined,
  messageType: 'master-key-failed-recovery',
  fields: fields([
    ['msg', 'The recovery attempt has failed.'], ['requestMethod', 'POST'], ['act', 'Failed recovery attempt'],
    ['sourceServiceName', 'Master Key'], ['originIP', '203.0.113.7'], ['country', 'Brazil'], ['state', 'Sao Paulo'],
    ['city', 'Taboão da Serra'], ['latitude', '-23.6019'], ['longitude', '-46.7526'], ['partsNeeded', '3'],
    ['partsSent', '2'], ['suid', '7'], ['sname', 'John Doe'], ['suser', 'john'], ['spriv', 'User'], ['dvc', '10.0.0.2'],
    ['spid', '977'], ['src', '10.0.0.1'], ['dproc', 'master_key_guardian'],
  ]),
});

export const scheduleUpdated: CanonicalRecord = record({
  origin: 'line 3',
  eventId: undefined,
  name: 'Reports - Update a Schedule',
  severity: '5',
  syslogSeverity: 5,
  productVersion: undefined,
  time: { epochMs: Date.UTC(2024, 2, 5, 11, 38, 0), fraction: '000001', offsetMinutes: 330 },
  host: undefined,
  messageType: 'report-schedule-update',
  fields: fields([
    ['dvc', '10.0.0.2'], ['spid', '977'], ['src', '10.0.20.10'], ['suid', '12'], ['sname', 'John Doe'], ['suser', 'jdoe'],
    ['spriv', 'Administrator'], ['msg', 'Report scheduling - Update'], ['requestMethod', 'POST'],
    ['act', 'Report scheduling - Update'], ['sourceServiceName', 'Report scheduling'],
    ['cs1Label', 'User'], ['cs1', 'John Doe'], ['cs2Label', 'User ID'], ['cs2', '12'],
    ['cs3Label', 'Schedule'], ['cs3', 'Weekly\tsummary\nline 2 C:\\reports'], ['cs4Label', 'Schedule ID'], ['cs4', '5'],
    ['cs5Label', 'Added reports'], ['cs5', 'Settings ➔ Authentication'], ['cs6Label', 'Removed reports'], ['cs6', 'None'],
    ['cs7Label', 'Added users'], ['cs7', 'jdoe - John Doe'], ['cs8Label', 'Removed users'], ['cs8', 'None'],
    ['ticketId', 'CHG-1042'], ['note', 'a=b c\\d\r\nend'], ['bad key', 'left out'],
  ]),
});

export const SAMPLE_RECORDS: readonly CanonicalRecord[] = [passwordViewed, failedRecovery, scheduleUpdated];
