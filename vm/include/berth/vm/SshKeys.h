#pragma once

#include "berth/vm/Result.h"

#include <string>

namespace berth::vm {

// An ed25519 key pair in OpenSSH's own formats, made with OpenSSL on the host (no ssh-keygen
// needed on the user's machine).
struct SshKeyPair
{
    std::string privateKey; // "-----BEGIN OPENSSH PRIVATE KEY-----" file contents, unencrypted
    std::string publicKey;  // "ssh-ed25519 AAAA… comment" (authorized_keys / known_hosts form)
};

Result<SshKeyPair> generateEd25519(const std::string& comment);

} // namespace berth::vm
