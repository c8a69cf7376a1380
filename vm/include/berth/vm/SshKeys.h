#pragma once

#include "berth/vm/Result.h"

#include <string>

namespace berth::vm {

// An SSH key pair in OpenSSH's own formats, made on the host (no ssh-keygen needed on the user's
// machine): vm/src/platform/…/SshKeys.cpp.
struct SshKeyPair
{
    std::string privateKey; // "-----BEGIN OPENSSH PRIVATE KEY-----" file contents, unencrypted
    std::string publicKey;  // "TYPE AAAA… comment" (authorized_keys / known_hosts form)
};

// The kind of key an instance uses on this host (its client key and the guest's host key):
// ed25519 (OpenSSL) on Linux and macOS; ECDSA nistp256 (CNG) on Windows, whose libssh2 (the
// WinCNG backend) has no ed25519.
Result<SshKeyPair> generateInstanceKey(const std::string& comment);

// ed25519, with OpenSSL; refused on Windows, which has neither OpenSSL nor Ed25519 in CNG.
Result<SshKeyPair> generateEd25519(const std::string& comment);

#ifdef _WIN32
// ECDSA on nistp256, with Windows' CNG.
Result<SshKeyPair> generateEcdsaP256(const std::string& comment);
#endif

} // namespace berth::vm
