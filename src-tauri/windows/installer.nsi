; The Windows installer of Saathi, made with NSIS. CI makes it on Linux (.ci/windows);
; on a Windows PC with NSIS 3 the same command works:
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DBIN=<folder with saathi.exe and
;            saathi-cli.exe> -DICON=src-tauri\icons\icon.ico -DOUT=Saathi-setup.exe
;            src-tauri\windows\installer.nsi
; It installs for the Windows user who runs it (no administrator needed; front-desk PCs
; often share one account) into %LOCALAPPDATA%\Programs\Saathi, with a Start menu and a
; desktop shortcut and an entry in "Apps & features". Uninstalling removes the programs
; only: the centre's data (%LOCALAPPDATA%\Saathi\Saathi\data) is never touched.
; /S installs silently (CI installs, runs and uninstalls it under Wine).

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!include "MUI2.nsh"
!include "LogicLib.nsh"

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Saathi"
; The WebView2 runtime's registration (Microsoft's documented way to detect it).
!define WEBVIEW2_CLIENT "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "Saathi"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Saathi"
InstallDirRegKey HKCU "Software\Saathi" "InstallDir"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "Saathi"
VIAddVersionKey /LANG=1033 "FileDescription" "Saathi installer"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "AGPL-3.0-or-later"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
; The language chosen at install is remembered for the uninstaller.
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "Software\Saathi"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\saathi.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Hindi"

LangString NoWebView2 ${LANG_ENGLISH} "Saathi is installed, but this PC does not have the Microsoft Edge WebView2 Runtime that its window needs. Windows 11 includes it. On Windows 10, install Microsoft's $\"WebView2 Evergreen Standalone Installer$\" once (bring it on a USB stick from a PC with internet). Until then the window cannot open; saathi-cli (backups) works."
LangString NoWebView2 ${LANG_HINDI} "साथी इंस्टॉल हो गया है, पर इस कंप्यूटर पर Microsoft Edge WebView2 Runtime नहीं है, जो इसकी विंडो को चाहिए। Windows 11 में यह पहले से होता है। Windows 10 पर Microsoft का $\"WebView2 Evergreen Standalone Installer$\" एक बार इंस्टॉल करें (इंटरनेट वाले किसी कंप्यूटर से USB स्टिक पर लाएँ)। तब तक विंडो नहीं खुलेगी; saathi-cli (बैकअप) चलता है।"
LangString DataKept ${LANG_ENGLISH} "The centre's data was not removed. It stays in $LOCALAPPDATA\Saathi\Saathi\data until someone deletes it by hand."
LangString DataKept ${LANG_HINDI} "केंद्र का डेटा हटाया नहीं गया। वह $LOCALAPPDATA\Saathi\Saathi\data में रहेगा, जब तक कोई उसे स्वयं न हटाए।"

Function .onInit
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function un.onInit
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Section "Saathi"
  SetOutPath "$INSTDIR"
  File "${BIN}\saathi.exe"
  File "${BIN}\saathi-cli.exe"
  File "${BIN}\WebView2Loader.dll"
  File "/oname=README.txt" "${BIN}\README.txt"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Saathi.lnk" "$INSTDIR\saathi.exe"
  CreateShortcut "$DESKTOP\Saathi.lnk" "$INSTDIR\saathi.exe"
  WriteRegStr HKCU "Software\Saathi" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Saathi"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Saathi"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\saathi.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  ; The runtime registers per machine (32-bit view on 64-bit Windows) or per user.
  SetRegView 32
  ReadRegStr $0 HKLM "SOFTWARE\${WEBVIEW2_CLIENT}" "pv"
  SetRegView 64
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    DetailPrint "WebView2: missing"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(NoWebView2)" /SD IDOK
  ${Else}
    DetailPrint "WebView2: $0"
  ${EndIf}
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\saathi.exe"
  Delete "$INSTDIR\saathi-cli.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Saathi.lnk"
  Delete "$DESKTOP\Saathi.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Saathi"
  DetailPrint "$(DataKept)"
SectionEnd
