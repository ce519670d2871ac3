// The only module that talks to Tauri. Every type that crosses the boundary comes from
// ./bindings, generated from the Rust core by ts-rs (`cargo test` rewrites them; CI
// fails if they differ from the committed copies).
import { invoke } from '@tauri-apps/api/core';
import type { Action } from './bindings/Action';
import type { AppInfo } from './bindings/AppInfo';
import type { AuditCheck } from './bindings/AuditCheck';
import type { AuditPage } from './bindings/AuditPage';
import type { AuditQuery } from './bindings/AuditQuery';
import type { BackupFile } from './bindings/BackupFile';
import type { BackupJob } from './bindings/BackupJob';
import type { BackupStatus } from './bindings/BackupStatus';
import type { SafetyCopy } from './bindings/SafetyCopy';
import type { Drive } from './bindings/Drive';
import type { RecoverySheet } from './bindings/RecoverySheet';
import type { RestorePreview } from './bindings/RestorePreview';
import type { UnattendedStatus } from './bindings/UnattendedStatus';
import type { PatientNote } from './bindings/PatientNote';
import type { ConsentHow } from './bindings/ConsentHow';
import type { ConsentInput } from './bindings/ConsentInput';
import type { ConsentKind } from './bindings/ConsentKind';
import type { ConsentRecord } from './bindings/ConsentRecord';
import type { AccessPart } from './bindings/AccessPart';
import type { BoardDue } from './bindings/BoardDue';
import type { Breach } from './bindings/Breach';
import type { BreachInput } from './bindings/BreachInput';
import type { CorrectedField } from './bindings/CorrectedField';
import type { Notice } from './bindings/Notice';
import type { Refusal } from './bindings/Refusal';
import type { RequestInput } from './bindings/RequestInput';
import type { RequestKind } from './bindings/RequestKind';
import type { RightsRequest } from './bindings/RightsRequest';
import type { RightsSettings } from './bindings/RightsSettings';
import type { Withheld } from './bindings/Withheld';
import type { WithholdReason } from './bindings/WithholdReason';
import type { SessionInfo } from './bindings/SessionInfo';
import type { SetupInput } from './bindings/SetupInput';
import type { SetupResult } from './bindings/SetupResult';
import type { SetupStatus } from './bindings/SetupStatus';
import type { DischargeType } from './bindings/DischargeType';
// ---- issue 17: certificates and aftercare outcomes
import type { Certificate } from './bindings/Certificate';
import type { CertificateInput } from './bindings/CertificateInput';
import type { Outcomes } from './bindings/Outcomes';
import type { ErrorPayload } from './bindings/ErrorPayload';
import type { Language } from './bindings/Language';
import type { NewPatient } from './bindings/NewPatient';
import type { Intake } from './bindings/Intake';
import type { CaseRecord } from './bindings/CaseRecord';
import type { CaseRecordView } from './bindings/CaseRecordView';
import type { CaseField } from './bindings/CaseField';
import type { District } from './bindings/District';
import type { State as IndianState } from './bindings/State';
import type { Admission } from './bindings/Admission';
import type { FieldChange } from './bindings/FieldChange';
import type { ReviewDue } from './bindings/ReviewDue';
import type { Patient } from './bindings/Patient';
import type { PatientDetails } from './bindings/PatientDetails';
import type { PatientPage } from './bindings/PatientPage';
import type { PatientQuery } from './bindings/PatientQuery';
import type { Phase } from './bindings/Phase';
import type { RegisterCounts } from './bindings/RegisterCounts';
import type { Settings } from './bindings/Settings';
import type { StaffInput } from './bindings/StaffInput';
import type { StaffMember } from './bindings/StaffMember';
import type { EndReason } from './bindings/EndReason';
import type { ExclusionKind } from './bindings/ExclusionKind';
import type { ExclusionRow } from './bindings/ExclusionRow';
import type { MentorshipOverview } from './bindings/MentorshipOverview';
import type { MentorshipSettings } from './bindings/MentorshipSettings';
import type { PairCheck } from './bindings/PairCheck';
import type { PairRow } from './bindings/PairRow';
import type { PatientMentorship } from './bindings/PatientMentorship';
import type { PeerProfile } from './bindings/PeerProfile';
import type { MentorSuggestions } from './bindings/MentorSuggestions';
import type { AttendanceReport } from './bindings/AttendanceReport';
import type { AttendanceSheet } from './bindings/AttendanceSheet';
import type { DropIn } from './bindings/DropIn';
import type { FamilyMember } from './bindings/FamilyMember';
import type { FamilyMemberInput } from './bindings/FamilyMemberInput';
import type { Group } from './bindings/Group';
import type { GroupInput } from './bindings/GroupInput';
import type { GroupMembers } from './bindings/GroupMembers';
import type { Held } from './bindings/Held';
import type { JoinOutcome } from './bindings/JoinOutcome';
import type { LeaveReason } from './bindings/LeaveReason';
import type { Mark } from './bindings/Mark';
import type { Occurrence } from './bindings/Occurrence';
import type { OccurrenceChange } from './bindings/OccurrenceChange';
import type { Offer } from './bindings/Offer';
import type { PatientGroups } from './bindings/PatientGroups';
import type { Person } from './bindings/Person';
import type { Room } from './bindings/Room';
import type { SaveOptions } from './bindings/SaveOptions';
import type { SaveOutcome } from './bindings/SaveOutcome';
import type { SeriesInput } from './bindings/SeriesInput';
import type { Suggestion } from './bindings/Suggestion';
import type { AftercareSettings } from './bindings/AftercareSettings';
import type { Acknowledge } from './bindings/Acknowledge';
import type { AtRiskEntry } from './bindings/AtRiskEntry';
import type { AttemptInput } from './bindings/AttemptInput';
import type { AttemptOutcome } from './bindings/AttemptOutcome';
import type { CloseReason } from './bindings/CloseReason';
import type { PatientAftercare } from './bindings/PatientAftercare';
import type { Plan } from './bindings/Plan';
import type { PlanTemplate } from './bindings/PlanTemplate';
import type { RosterDoc } from './bindings/RosterDoc';
// ---- issue 17: registers and sign-in sheets
import type { RegisterKind } from './bindings/RegisterKind';
import type { RegisterRequest } from './bindings/RegisterRequest';
import type { TemplateInput } from './bindings/TemplateInput';
import type { WorklistRange } from './bindings/WorklistRange';
import type { WorklistRow } from './bindings/WorklistRow';

export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;
  /** The values the message names, for `{name}` in the catalogue's `err.<code>` text. */
  readonly params: Record<string, string>;
  constructor(p: ErrorPayload) {
    super(p.message);
    this.code = p.code;
    this.field = p.field;
    this.params = p.params ?? {};
  }
}

function isPayload(e: unknown): e is ErrorPayload {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** Codes after which the window must show the lock or sign-in screen. */
const SESSION_CODES = new Set(['locked', 'not_signed_in', 'must_change_password']);
let sessionListener: ((code: string) => void) | null = null;

/** Called with the code whenever a command finds the session locked or gone. */
export function onSessionProblem(listener: (code: string) => void) {
  sessionListener = listener;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = isPayload(e)
      ? new ApiError(e)
      : new ApiError({ code: 'ipc', message: String(e), field: null, params: { detail: String(e) } });
    if (SESSION_CODES.has(err.code)) sessionListener?.(err.code);
    throw err;
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  getSettings: () => call<Settings>('get_settings'),
  setupStatus: () => call<SetupStatus>('setup_status'),
  setUp: (input: SetupInput) => call<SetupResult>('set_up', { input }),
  signIn: (username: string, password: string) => call<SessionInfo>('sign_in', { username, password }),
  recover: (code: string, username: string, password: string) =>
    call<SetupResult>('recover', { code, username, password }),
  sessionInfo: () => call<SessionInfo | null>('session_info'),
  touch: () => call<SessionInfo>('touch'),
  lock: () => call<null>('lock'),
  unlock: (secret: string, pin: boolean) => call<SessionInfo>('unlock', { secret, pin }),
  signOut: () => call<null>('sign_out'),
  changePassword: (oldPassword: string, newPassword: string) =>
    call<SessionInfo>('change_password', { oldPassword, newPassword }),
  setPin: (password: string, pin: string) => call<SessionInfo>('set_pin', { password, pin }),
  setIdleMinutes: (minutes: number) => call<Settings>('set_idle_minutes', { minutes }),
  updateCentre: (name: string, address: string, phone: string) =>
    call<Settings>('update_centre', { name, address, phone }),
  listPatientNotes: (id: number) => call<PatientNote[]>('list_patient_notes', { id }),
  addPatientNote: (id: number, body: string) => call<PatientNote[]>('add_patient_note', { id, body }),
  resetStaffPassword: (id: number, temporaryPassword: string) =>
    call<StaffMember>('reset_staff_password', { id, temporaryPassword }),
  auditLog: (query: AuditQuery) => call<AuditPage>('audit_log', { query }),
  verifyAudit: () => call<AuditCheck>('verify_audit'),
  setLanguage: (language: Language) => call<Settings>('set_language', { language }),
  registerCounts: () => call<RegisterCounts>('register_counts'),
  searchPatients: (query: PatientQuery) => call<PatientPage>('search_patients', { query }),
  getPatient: (id: number) => call<Patient>('get_patient', { id }),
  /** A new person with what they agreed to or refused at intake, in one transaction. */
  createPatient: (intake: Intake) => call<Patient>('create_patient', { intake }),
  getCaseRecord: (patient: number) => call<CaseRecordView>('get_case_record', { patient }),
  searchDistricts: (text: string) => call<District[]>('search_districts', { text }),
  listStates: () => call<IndianState[]>('list_states'),
  setCaseRequired: (fields: CaseField[]) => call<CaseField[]>('set_case_required', { fields }),
  setAdmission: (patient: number, admission: Admission) => call<Patient>('set_admission', { patient, admission }),
  setDischargeSummary: (stay: number, summary: string) =>
    call<Patient>('set_discharge_summary', { stay, summary }),
  fieldHistory: (patient: number) => call<FieldChange[]>('field_history', { patient }),
  reviewsDue: () => call<ReviewDue[]>('reviews_due'),
  listConsents: (patient: number) => call<ConsentRecord[]>('list_consents', { patient }),
  recordConsent: (patient: number, consent: ConsentInput) =>
    call<ConsentRecord[]>('record_consent', { patient, consent }),
  /** Takes effect at once: the call list, printed lists, family calls. */
  withdrawConsent: (id: number, on: string) => call<ConsentRecord[]>('withdraw_consent', { id, on }),
  /** The bilingual consent form, written into the printouts folder and opened; returns the path. */
  printConsentForm: (patient: number) => call<string>('print_consent_form', { patient }),
  // The rights desk (administrators).
  rightsRequests: () => call<RightsRequest[]>('rights_requests'),
  openRightsRequest: (input: RequestInput) => call<RightsRequest[]>('open_rights_request', { input }),
  closeRightsRequest: (id: number, done: boolean, outcome: string, refusal: Refusal | null) =>
    call<RightsRequest[]>('close_rights_request', { id, done, outcome, refusal }),
  recordCorrection: (id: number, field: CorrectedField, on: string, outcome: string) =>
    call<RightsRequest[]>('record_correction', { id, field, on, outcome }),
  /** The access copy, written into the printouts folder and opened; returns the path. */
  answerAccessRequest: (id: number, language: Language, withheld: Withheld[]) =>
    call<string>('answer_access_request', { id, language, withheld }),
  /** Erases (or refuses under the retention rule); the reply letter is opened; returns its path. */
  eraseForRequest: (id: number, outcome: string, language: Language | null) =>
    call<string>('erase_for_request', { id, outcome, language }),
  /** The reply letter in one language, or both (null). */
  printReplyLetter: (id: number, language: Language | null) => call<string>('print_reply_letter', { id, language }),
  rightsSettings: () => call<RightsSettings>('rights_settings'),
  saveRightsSettings: (settings: RightsSettings) => call<RightsSettings>('save_rights_settings', { settings }),
  listBreaches: () => call<Breach[]>('list_breaches'),
  recordBreach: (input: BreachInput) => call<Breach[]>('record_breach', { input }),
  /** `at`: local time, YYYY-MM-DDTHH:MM:SS. */
  breachNotified: (id: number, notice: Notice, at: string) => call<Breach[]>('breach_notified', { id, notice, at }),
  breachCountdown: () => call<BoardDue[]>('breach_countdown'),
  updatePatient: (id: number, details: PatientDetails, caseRecord: CaseRecord) =>
    call<Patient>('update_patient', { id, details, caseRecord }),
  dischargePatient: (id: number, on: string, kind: DischargeType) =>
    call<Patient>('discharge_patient', { id, on, kind }),
  readmitPatient: (id: number, on: string) => call<Patient>('readmit_patient', { id, on }),
  setPatientPhase: (id: number, phase: Phase) => call<Patient>('set_patient_phase', { id, phase }),
  setPatientArchived: (id: number, archived: boolean) => call<Patient>('set_patient_archived', { id, archived }),
  listStaff: () => call<StaffMember[]>('list_staff'),
  createStaff: (input: StaffInput, temporaryPassword: string | null) =>
    call<StaffMember>('create_staff', { input, temporaryPassword }),
  updateStaff: (id: number, input: StaffInput) => call<StaffMember>('update_staff', { id, input }),
  /** Reactivating one who signs in needs a temporary password (their old one stays unusable). */
  setStaffActive: (id: number, active: boolean, temporaryPassword: string | null = null) =>
    call<StaffMember>('set_staff_active', { id, active, temporaryPassword }),
  mentorshipOverview: () => call<MentorshipOverview>('mentorship_overview'),
  suggestMentors: () => call<MentorSuggestions>('suggest_mentors'),
  acceptMentorPair: (mentor: number, mentee: number) => call<PairRow>('accept_mentor_pair', { mentor, mentee }),
  rejectMentorPair: (mentor: number, mentee: number) => call<MentorSuggestions>('reject_mentor_pair', { mentor, mentee }),
  clearMentorRejections: () => call<number>('clear_mentor_rejections'),
  checkMentorPair: (mentor: number, mentee: number) => call<PairCheck>('check_mentor_pair', { mentor, mentee }),
  pairMentorByHand: (mentor: number, mentee: number, reason: string) =>
    call<PairRow>('pair_mentor_by_hand', { mentor, mentee, reason }),
  endMentorPair: (pair: number, on: string, reason: EndReason, badly: boolean, note: string) =>
    call<PairRow>('end_mentor_pair', { pair, on, reason, badly, note }),
  addMentorExclusion: (mentor: number, mentee: number, kind: ExclusionKind, note: string) =>
    call<ExclusionRow>('add_mentor_exclusion', { mentor, mentee, kind, note }),
  liftMentorExclusion: (id: number, reason: string) => call<null>('lift_mentor_exclusion', { id, reason }),
  patientMentorship: (id: number) => call<PatientMentorship>('patient_mentorship', { id }),
  savePeerProfile: (id: number, profile: PeerProfile) =>
    call<PatientMentorship>('save_peer_profile', { id, profile }),
  saveMentorshipSettings: (settings: MentorshipSettings) =>
    call<MentorshipSettings>('save_mentorship_settings', { settings }),
  // Groups. Dates are ISO (YYYY-MM-DD); an occurrence is (seriesId, originalDate).
  listGroups: () => call<Group[]>('list_groups'),
  getGroup: (id: number) => call<Group>('get_group', { id }),
  createGroup: (input: GroupInput) => call<Group>('create_group', { input }),
  updateGroup: (id: number, input: GroupInput) => call<Group>('update_group', { id, input }),
  listRooms: () => call<Room[]>('list_rooms'),
  saveRoom: (id: number | null, name: string, active: boolean) => call<Room[]>('save_room', { id, name, active }),
  addGroupSeries: (groupId: number, input: SeriesInput, options: SaveOptions) =>
    call<SaveOutcome>('add_group_series', { groupId, input, options }),
  editGroupSeries: (seriesId: number, from: string, input: SeriesInput, options: SaveOptions) =>
    call<SaveOutcome>('edit_group_series', { seriesId, from, input, options }),
  stopGroupSeries: (seriesId: number, from: string) => call<null>('stop_group_series', { seriesId, from }),
  groupSchedule: (from: string, to: string, groupId: number | null) =>
    call<Occurrence[]>('group_schedule', { from, to, groupId }),
  moveGroupSession: (seriesId: number, originalDate: string, change: OccurrenceChange, options: SaveOptions) =>
    call<SaveOutcome>('move_group_session', { seriesId, originalDate, change, options }),
  cancelGroupSession: (seriesId: number, originalDate: string, reason: string) =>
    call<Occurrence>('cancel_group_session', { seriesId, originalDate, reason }),
  restoreGroupSession: (seriesId: number, originalDate: string) =>
    call<Occurrence>('restore_group_session', { seriesId, originalDate }),
  groupMembers: (groupId: number) => call<GroupMembers>('group_members', { groupId }),
  joinGroup: (groupId: number, person: Person, joinedOn: string) =>
    call<JoinOutcome>('join_group', { groupId, person, joinedOn }),
  leaveGroup: (membershipId: number, leftOn: string, reason: LeaveReason) =>
    call<Offer | null>('leave_group', { membershipId, leftOn, reason }),
  withdrawFromWaitlist: (waitlistId: number) => call<Offer | null>('withdraw_from_waitlist', { waitlistId }),
  groupSuggestions: (groupId: number) => call<Suggestion[]>('group_suggestions', { groupId }),
  addFamilyMember: (input: FamilyMemberInput) => call<FamilyMember[]>('add_family_member', { input }),
  listFamilyMembers: (patientId: number) => call<FamilyMember[]>('list_family_members', { patientId }),
  attendanceSheet: (seriesId: number, originalDate: string) =>
    call<AttendanceSheet>('attendance_sheet', { seriesId, originalDate }),
  markAttendance: (seriesId: number, originalDate: string, person: Person, mark: Mark, reason: string) =>
    call<AttendanceSheet>('mark_attendance', { seriesId, originalDate, person, mark, reason }),
  markDropin: (seriesId: number, originalDate: string, attendanceId: number, mark: Mark, reason: string) =>
    call<AttendanceSheet>('mark_dropin', { seriesId, originalDate, attendanceId, mark, reason }),
  addDropin: (seriesId: number, originalDate: string, dropin: DropIn, mark: Mark) =>
    call<AttendanceSheet>('add_dropin', { seriesId, originalDate, dropin, mark }),
  recordGroupSession: (seriesId: number, originalDate: string, held: Held, notHeldReason: string, topic: string) =>
    call<AttendanceSheet>('record_group_session', { seriesId, originalDate, held, notHeldReason, topic }),
  setGroupSessionNote: (seriesId: number, originalDate: string, note: string) =>
    call<AttendanceSheet>('set_group_session_note', { seriesId, originalDate, note }),
  todaysGroupSessions: () => call<Occurrence[]>('todays_group_sessions'),
  attendanceMissing: () => call<Occurrence[]>('attendance_missing'),
  attendanceReport: (from: string, to: string, groupId: number | null) =>
    call<AttendanceReport>('attendance_report', { from, to, groupId }),
  suggestReportPath: (from: string, to: string) => call<string>('suggest_report_path', { from, to }),
  exportAttendanceCsv: (from: string, to: string, groupId: number | null, path: string) =>
    call<string>('export_attendance_csv', { from, to, groupId, path }),
  patientGroups: (patientId: number) => call<PatientGroups>('patient_groups', { patientId }),
  backupStatus: () => call<BackupStatus>('backup_status'),
  listDrives: () => call<Drive[]>('list_drives'),
  listBackups: (folder: string) => call<BackupFile[]>('list_backups', { folder }),
  startBackup: (folder: string) => call<BackupJob>('start_backup', { folder }),
  backupProgress: () => call<BackupJob>('backup_progress'),
  setUpBackupKey: (passphrase: string, replace: boolean) =>
    call<BackupStatus>('set_up_backup_key', { passphrase, replace }),
  backupRecoverySheet: () => call<RecoverySheet>('backup_recovery_sheet'),
  prepareRestore: (file: string, passphrase: string) => call<RestorePreview>('prepare_restore', { file, passphrase }),
  confirmRestore: () => call<null>('confirm_restore'),
  cancelRestore: () => call<null>('cancel_restore'),
  localSnapshots: () => call<string[]>('local_snapshots'),
  safetyCopies: () => call<SafetyCopy[]>('safety_copies'),
  removeSafetyCopy: (fileName: string) => call<SafetyCopy[]>('remove_safety_copy', { fileName }),
  setBackupOnClose: (on: boolean) => call<BackupStatus>('set_backup_on_close', { on }),
  unattendedBackupStatus: () => call<UnattendedStatus>('unattended_backup_status'),
  setUnattendedBackup: (on: boolean) => call<UnattendedStatus>('set_unattended_backup', { on }),
  aftercareWorklist: (range: WorklistRange) => call<WorklistRow[]>('aftercare_worklist', { range }),
  recordAttempt: (input: AttemptInput) => call<AttemptOutcome>('record_attempt', { input }),
  patientAftercare: (id: number) => call<PatientAftercare>('patient_aftercare', { id }),
  aftercareTemplates: () => call<PlanTemplate[]>('aftercare_templates'),
  saveAftercareTemplate: (id: number | null, input: TemplateInput) =>
    call<PlanTemplate[]>('save_aftercare_template', { id, input }),
  dischargeWithPlan: (id: number, on: string, kind: DischargeType, templateId: number | null, groupId: number | null) =>
    call<Patient>('discharge_with_plan', { id, on, kind, templateId, groupId }),
  startAftercarePlan: (id: number, templateId: number) => call<Plan[]>('start_aftercare_plan', { id, templateId }),
  stepAftercarePlan: (planId: number, up: boolean) => call<number>('step_aftercare_plan', { planId, up }),
  pauseAftercarePlan: (planId: number, paused: boolean, reason: string) =>
    call<null>('pause_aftercare_plan', { planId, paused, reason }),
  closeAftercarePlan: (planId: number, reason: CloseReason, note: string) =>
    call<null>('close_aftercare_plan', { planId, reason, note }),
  atRiskList: () => call<AtRiskEntry[]>('at_risk_list'),
  acknowledgeAlert: (ack: Acknowledge) => call<AtRiskEntry[]>('acknowledge_alert', { ack }),
  aftercareSettings: () => call<AftercareSettings>('aftercare_settings'),
  saveAftercareSettings: (settings: AftercareSettings) =>
    call<AftercareSettings>('save_aftercare_settings', { settings }),
  rosterPreview: (week: string, privacy: boolean | null, language: Language | null) =>
    call<RosterDoc>('roster_preview', { week, privacy, language }),
  /** Writes the PDF to `path`, or (null) into the data folder's printouts and opens it. */
  printRoster: (week: string, privacy: boolean | null, language: Language | null, path: string | null) =>
    call<string>('print_roster', { week, privacy, language, path }),
  /** The system's folder picker (tauri-plugin-dialog's `open`, folders only). */
  chooseFolder: (title: string) => call<string | null>('plugin:dialog|open', { options: { title, directory: true } }),
  /** The system's file picker for a backup file (`*.saathi`). */
  chooseBackupFile: (title: string, kind: string) =>
    call<string | null>('plugin:dialog|open', { options: { title, filters: [{ name: kind, extensions: ['saathi'] }] } }),
  /** The system's save dialog (tauri-plugin-dialog; the window may open only this and `open`). */
  chooseSavePath: (defaultPath: string, kind: 'PDF' | 'CSV' = 'PDF') =>
    call<string | null>('plugin:dialog|save', {
      options: { defaultPath, filters: [{ name: kind, extensions: [kind.toLowerCase()] }] },
    }),
  // ---- issue 17: participant notes
  sessionParticipantNotes: (seriesId: number, originalDate: string) =>
    call<ParticipantNote[]>('session_participant_notes', { seriesId, originalDate }),
  writeParticipantNote: (seriesId: number, originalDate: string, patientId: number, body: string) =>
    call<ParticipantNote>('write_participant_note', { seriesId, originalDate, patientId, body }),
  signParticipantNote: (noteId: number) => call<ParticipantNote>('sign_participant_note', { noteId }),
  addParticipantNoteAddendum: (noteId: number, body: string) =>
    call<ParticipantNote>('add_participant_note_addendum', { noteId, body }),
  patientParticipantNotes: (patientId: number) => call<ParticipantNote[]>('patient_participant_notes', { patientId }),
  // ---- end issue 17: participant notes
  // ---- issue 17: registers and sign-in sheets
  /** A register's PDF: to `path`, or (null) into the printouts folder and opened. */
  printRegister: (request: RegisterRequest, privacy: boolean | null, language: Language | null, path: string | null) =>
    call<string>('print_register', { request, privacy, language, path }),
  /** A register as CSV, to the full `.csv` path chosen in the save dialog. */
  exportRegisterCsv: (request: RegisterRequest, privacy: boolean | null, path: string) =>
    call<string>('export_register_csv', { request, privacy, path }),
  /** The sign-in sheet of a group's session on `date` (ISO), opened (path null) or saved. */
  printSignInSheet: (groupId: number, date: string, privacy: boolean | null, language: Language | null, path: string | null) =>
    call<string>('print_sign_in_sheet', { groupId, date, privacy, language, path }),
  // ---- issue 17: statistics
  listCounsellingSessions: (id: number) => call<CounsellingSession[]>('list_counselling_sessions', { id }),
  recordCounsellingSession: (id: number, input: CounsellingInput) =>
    call<CounsellingSession[]>('record_counselling_session', { id, input }),
  listOutreach: (from: string, to: string) => call<OutreachActivity[]>('list_outreach', { from, to }),
  addOutreach: (input: OutreachInput) => call<number>('add_outreach', { input }),
  /** `period`: a month `2026-11` or a quarter `2026-Q4`. */
  statistics: (period: string) => call<Statistics>('statistics', { period }),
  /** Administrators: who is counted in one figure and breakdown (`total`, `sex:female`, …). */
  statisticsPeople: (period: string, figure: Figure, breakdown: string) =>
    call<CountedPerson[]>('statistics_people', { period, figure, breakdown }),
  /** The PDF in the printouts folder (opened); returns its path. */
  printStatistics: (period: string, language: Language) => call<string>('print_statistics', { period, language }),
  /** The CSV in the printouts folder; returns its path. */
  exportStatisticsCsv: (period: string) => call<string>('export_statistics_csv', { period }),
  // ---- issue 17: certificates and aftercare outcomes
  patientCertificates: (patient: number) => call<Certificate[]>('patient_certificates', { patient }),
  issueCertificate: (input: CertificateInput) => call<Certificate>('issue_certificate', { input }),
  /** The first print is the original, any later one a duplicate; returns where it was written. */
  printCertificate: (id: number, path: string | null = null) => call<string>('print_certificate', { id, path }),
  aftercareOutcomes: (from: string, to: string) => call<Outcomes>('aftercare_outcomes', { from, to }),
  printOutcomes: (from: string, to: string, language: Language | null) =>
    call<string>('print_outcomes', { from, to, language }),
  exportOutcomesCsv: (from: string, to: string, path: string) =>
    call<string>('export_outcomes_csv', { from, to, path }),
};

export type { ConsentHow, ConsentInput, ConsentKind, ConsentRecord };
export type { RegisterKind, RegisterRequest };
export type {
  Admission, CaseField, CaseRecord, CaseRecordView, District, FieldChange, IndianState, Intake, ReviewDue,
};
export type { AdmissionBasis } from './bindings/AdmissionBasis';
export type { ReferralSource } from './bindings/ReferralSource';
export type { Occupation } from './bindings/Occupation';
export type { Education } from './bindings/Education';
export type { MaritalStatus } from './bindings/MaritalStatus';
export type { LivingWith } from './bindings/LivingWith';
export type { IncomeBand } from './bindings/IncomeBand';
export type { Route } from './bindings/Route';
export type { Frequency } from './bindings/Frequency';
export type { SubstanceUse } from './bindings/SubstanceUse';
export type { PreviousTreatment } from './bindings/PreviousTreatment';
export type {
  AccessPart, BoardDue, Breach, BreachInput, CorrectedField, Notice, Refusal, RequestInput, RequestKind, RightsRequest,
  RightsSettings, Withheld, WithholdReason,
};
export type {
  Action, AuditCheck, AuditPage, AuditQuery, PatientNote, SessionInfo, SetupInput, SetupResult, SetupStatus,
  AppInfo, DischargeType, ErrorPayload, Language, NewPatient, Patient, PatientDetails, PatientPage,
  PatientQuery, Phase, RegisterCounts, Settings, StaffInput, StaffMember,
  BackupFile, BackupJob, BackupStatus, Drive, RestorePreview, SafetyCopy, UnattendedStatus,
};
export type {
  AttendanceReport, AttendanceSheet, DropIn, FamilyMember, FamilyMemberInput, Group, GroupInput, GroupMembers, Held,
  JoinOutcome, LeaveReason, Mark, Occurrence, OccurrenceChange, Offer, PatientGroups, Person, Room, SaveOptions,
  SaveOutcome, SeriesInput, Suggestion,
};
export type { Conflict } from './bindings/Conflict';
export type { Day } from './bindings/Day';
export type { Freq } from './bindings/Freq';
export type { GroupKind } from './bindings/GroupKind';
export type { Audience } from './bindings/Audience';
export type { GenderRule } from './bindings/GenderRule';
export type { GroupStatus } from './bindings/GroupStatus';
export type { Series } from './bindings/Series';
export type { SheetRow } from './bindings/SheetRow';
export type { Gender } from './bindings/Gender';
export type { Role } from './bindings/Role';
export type { Substance } from './bindings/Substance';
export type { PatientRow } from './bindings/PatientRow';
export type { Stay } from './bindings/Stay';
export type {
  EndReason, ExclusionKind, ExclusionRow, MentorshipOverview, MentorshipSettings, PairCheck, PairRow,
  MentorSuggestions, PatientMentorship, PeerProfile,
};
export type { MentorRow } from './bindings/MentorRow';
export type { WaitingRow } from './bindings/WaitingRow';
export type { MentorSuggestion } from './bindings/MentorSuggestion';
export type { WaitReason } from './bindings/WaitReason';
export type {
  AftercareSettings, Acknowledge, AtRiskEntry, AttemptInput, AttemptOutcome, CloseReason, PatientAftercare, Plan,
  PlanTemplate, RosterDoc, TemplateInput, WorklistRange, WorklistRow,
};
export type { Attempt } from './bindings/Attempt';
export type { AtRiskReason } from './bindings/AtRiskReason';
export type { ContactMethod } from './bindings/ContactMethod';
export type { ContactResult } from './bindings/ContactResult';
export type { NextStep } from './bindings/NextStep';
export type { RecoveryStatus } from './bindings/RecoveryStatus';
export type { RiskLevel } from './bindings/RiskLevel';
// ---- issue 17: participant notes
import type { ParticipantNote } from './bindings/ParticipantNote';
export type { ParticipantNote };
export type { NoteAddendum } from './bindings/NoteAddendum';
// ---- issue 17: statistics
import type { CounsellingInput } from './bindings/CounsellingInput';
import type { CounsellingKind } from './bindings/CounsellingKind';
import type { CounsellingSession } from './bindings/CounsellingSession';
import type { OutreachActivity } from './bindings/OutreachActivity';
import type { OutreachInput } from './bindings/OutreachInput';
import type { OutreachKind } from './bindings/OutreachKind';
import type { Count } from './bindings/Count';
import type { CountedPerson } from './bindings/CountedPerson';
import type { Dimension } from './bindings/Dimension';
import type { Figure } from './bindings/Figure';
import type { FigureRow } from './bindings/FigureRow';
import type { Split } from './bindings/Split';
import type { Statistics } from './bindings/Statistics';
export type {
  CounsellingInput, CounsellingKind, CounsellingSession, OutreachActivity, OutreachInput, OutreachKind, Count,
  CountedPerson, Dimension, Figure, FigureRow, Split, Statistics,
};
// ---- issue 17: certificates and aftercare outcomes
export type { Certificate, CertificateInput, Outcomes };
export type { CertificateKind } from './bindings/CertificateKind';
export type { CertificateLanguage } from './bindings/CertificateLanguage';
export type { Checkpoint } from './bindings/Checkpoint';
export type { CohortOutcome } from './bindings/CohortOutcome';
export type { OutcomeCohort } from './bindings/OutcomeCohort';
