#include "berth/vm/SshKeys.h"

#include "berth/vm/detail/SshWire.h"

// clang-format off
#include <windows.h>
#include <bcrypt.h>
// clang-format on

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace berth::vm {

namespace {

using detail::putString;

std::string ntMessage(const char* what, NTSTATUS status)
{
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lx", static_cast<unsigned long>(status));
    return std::string("Windows' cryptography (CNG) could not ") + what + " (NTSTATUS " + hex + ")";
}

} // namespace

// Windows' own cryptography (CNG) has no Ed25519 signatures, and this build has no OpenSSL.
Result<SshKeyPair> generateEd25519(const std::string& comment)
{
    return Error{"cannot make the ed25519 key '" + comment +
                 "' on Windows: this build of Berth has no OpenSSL, and Windows' own cryptography has no "
                 "Ed25519; Berth's keys there are ECDSA (nistp256)"};
}

Result<SshKeyPair> generateInstanceKey(const std::string& comment)
{
    return generateEcdsaP256(comment);
}

Result<SshKeyPair> generateEcdsaP256(const std::string& comment)
{
    BCRYPT_ALG_HANDLE algorithm = nullptr;
    if (const NTSTATUS s = BCryptOpenAlgorithmProvider(&algorithm, BCRYPT_ECDSA_P256_ALGORITHM, nullptr, 0);
        s < 0)
        return Error{ntMessage("open ECDSA P-256", s)};
    BCRYPT_KEY_HANDLE key = nullptr;
    NTSTATUS status = BCryptGenerateKeyPair(algorithm, &key, 256, 0);
    if (status >= 0)
        status = BCryptFinalizeKeyPair(key, 0);
    // BCRYPT_ECCKEY_BLOB, then X, Y and the private scalar d, 32 big-endian bytes each.
    std::vector<unsigned char> blob;
    ULONG size = 0;
    if (status >= 0)
        status = BCryptExportKey(key, nullptr, BCRYPT_ECCPRIVATE_BLOB, nullptr, 0, &size, 0);
    if (status >= 0) {
        blob.resize(size);
        status = BCryptExportKey(key, nullptr, BCRYPT_ECCPRIVATE_BLOB, blob.data(), size, &size, 0);
    }
    if (key)
        BCryptDestroyKey(key);
    BCryptCloseAlgorithmProvider(algorithm, 0);
    if (status < 0)
        return Error{ntMessage("make an ECDSA P-256 key", status)};
    BCRYPT_ECCKEY_BLOB header{};
    if (size < sizeof header)
        return Error{ntMessage("export the ECDSA key", status)};
    std::memcpy(&header, blob.data(), sizeof header);
    if (header.cbKey != 32 || size < sizeof header + 3 * header.cbKey)
        return Error{"Windows' cryptography (CNG) exported an ECDSA key of an unexpected size"};
    const auto* bytes = reinterpret_cast<const char*>(blob.data()) + sizeof header;
    const std::string x(bytes, 32), y(bytes + 32, 32), d(bytes + 64, 32);
    SecureZeroMemory(blob.data(), blob.size());

    const std::string type = "ecdsa-sha2-nistp256";
    const std::string point = '\x04' + x + y; // SEC1 uncompressed
    std::string publicBlob;
    putString(publicBlob, type);
    putString(publicBlob, "nistp256");
    putString(publicBlob, point);

    // The private section holds the type, the curve, the point Q and the scalar as an mpint.
    std::uint32_t check = 0;
    if (BCryptGenRandom(nullptr, reinterpret_cast<PUCHAR>(&check), sizeof check,
                        BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0)
        return Error{"Windows' cryptography (CNG) gave no random bytes"};
    std::string keyFields;
    putString(keyFields, type);
    putString(keyFields, "nistp256");
    putString(keyFields, point);
    detail::putMpint(keyFields, d);

    SshKeyPair pair;
    pair.privateKey = detail::opensshPrivateKey(publicBlob, keyFields, comment, check);
    pair.publicKey = type + " " + detail::base64(publicBlob) + (comment.empty() ? "" : " " + comment);
    return pair;
}

} // namespace berth::vm
