#include "berth/vm/SshKeys.h"

namespace berth::vm {

// Berth's instance keys are ed25519. Windows' own cryptography (CNG) has no Ed25519 signatures,
// and this build has no OpenSSL: the key cannot be made here yet (README, "Windows").
Result<SshKeyPair> generateEd25519(const std::string& comment)
{
    return Error{"cannot make the ed25519 key '" + comment +
                 "' on Windows yet: this build of Berth has no OpenSSL, and Windows' own cryptography has no "
                 "Ed25519. Make the instance's keys with ssh-keygen -t ed25519 (in the instance's ssh folder), "
                 "or use Berth on Linux for now"};
}

} // namespace berth::vm
