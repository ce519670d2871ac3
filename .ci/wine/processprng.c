/* bcryptprimitives.dll for Wine 8, which lacks it. Rust's standard library (1.78 and
 * newer) and getrandom take their random bytes from ProcessPrng; without it every Rust
 * program exits with status 53 under Wine before printing anything. Real Windows 10
 * and 11 have this DLL; it is installed only into the test Wine prefix, never shipped.
 * ProcessPrng fills the buffer from advapi32's RtlGenRandom (SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
