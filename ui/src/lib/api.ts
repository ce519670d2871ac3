// The only module that talks to Tauri. Every type that crosses the boundary comes from
// ./bindings, generated from the Rust core by ts-rs (`cargo test` rewrites them; CI
// fails if they differ from the committed copies).
import { invoke } from '@tauri-apps/api/core';
import type { AppInfo } from './bindings/AppInfo';
import type { DischargeType } from './bindings/DischargeType';
import type { ErrorPayload } from './bindings/ErrorPayload';
import type { Language } from './bindings/Language';
import type { NewPatient } from './bindings/NewPatient';
import type { Patient } from './bindings/Patient';
import type { PatientDetails } from './bindings/PatientDetails';
import type { PatientPage } from './bindings/PatientPage';
import type { PatientQuery } from './bindings/PatientQuery';
import type { Phase } from './bindings/Phase';
import type { RegisterCounts } from './bindings/RegisterCounts';
import type { Settings } from './bindings/Settings';
import type { StaffInput } from './bindings/StaffInput';
import type { StaffMember } from './bindings/StaffMember';

export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;
  constructor(p: ErrorPayload) {
    super(p.message);
    this.code = p.code;
    this.field = p.field;
  }
}

function isPayload(e: unknown): e is ErrorPayload {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isPayload(e)) throw new ApiError(e);
    throw new ApiError({ code: 'ipc', message: String(e), field: null });
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  getSettings: () => call<Settings>('get_settings'),
  setLanguage: (language: Language) => call<Settings>('set_language', { language }),
  registerCounts: () => call<RegisterCounts>('register_counts'),
  searchPatients: (query: PatientQuery) => call<PatientPage>('search_patients', { query }),
  getPatient: (id: number) => call<Patient>('get_patient', { id }),
  createPatient: (patient: NewPatient) => call<Patient>('create_patient', { patient }),
  updatePatient: (id: number, details: PatientDetails) => call<Patient>('update_patient', { id, details }),
  dischargePatient: (id: number, on: string, kind: DischargeType) =>
    call<Patient>('discharge_patient', { id, on, kind }),
  readmitPatient: (id: number, on: string) => call<Patient>('readmit_patient', { id, on }),
  setPatientPhase: (id: number, phase: Phase) => call<Patient>('set_patient_phase', { id, phase }),
  setPatientArchived: (id: number, archived: boolean) => call<Patient>('set_patient_archived', { id, archived }),
  listStaff: () => call<StaffMember[]>('list_staff'),
  createStaff: (input: StaffInput) => call<StaffMember>('create_staff', { input }),
  updateStaff: (id: number, input: StaffInput) => call<StaffMember>('update_staff', { id, input }),
  setStaffActive: (id: number, active: boolean) => call<StaffMember>('set_staff_active', { id, active }),
};

export type {
  AppInfo, DischargeType, ErrorPayload, Language, NewPatient, Patient, PatientDetails, PatientPage,
  PatientQuery, Phase, RegisterCounts, Settings, StaffInput, StaffMember,
};
export type { Gender } from './bindings/Gender';
export type { Role } from './bindings/Role';
export type { Substance } from './bindings/Substance';
export type { PatientRow } from './bindings/PatientRow';
export type { Stay } from './bindings/Stay';
