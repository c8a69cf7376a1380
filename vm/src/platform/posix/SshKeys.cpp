#include "berth/vm/SshKeys.h"

#include "berth/vm/detail/SshWire.h"

#include <array>
#include <cstdint>
#include <memory>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace berth::vm {

using detail::base64;
using detail::putString;

Result<SshKeyPair> generateInstanceKey(const std::string& comment)
{
    return generateEd25519(comment);
}

Result<SshKeyPair> generateEd25519(const std::string& comment)
{
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr),
                                                                    &EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        return Error{"OpenSSL could not generate an ed25519 key"};
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
    std::array<unsigned char, 32> seed{};
    std::array<unsigned char, 32> pub{};
    size_t seedLen = seed.size();
    size_t pubLen = pub.size();
    if (EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &seedLen) != 1 ||
        EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &pubLen) != 1 || seedLen != 32 || pubLen != 32)
        return Error{"OpenSSL did not return the raw ed25519 key"};
    const std::string pubBytes(reinterpret_cast<const char*>(pub.data()), pub.size());
    const std::string seedBytes(reinterpret_cast<const char*>(seed.data()), seed.size());

    std::string pubBlob;
    putString(pubBlob, "ssh-ed25519");
    putString(pubBlob, pubBytes);

    // The private section holds the type, the public key and seed || public.
    std::uint32_t check = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof check);
    std::string keyFields;
    putString(keyFields, "ssh-ed25519");
    putString(keyFields, pubBytes);
    putString(keyFields, seedBytes + pubBytes);

    SshKeyPair pair;
    pair.privateKey = detail::opensshPrivateKey(pubBlob, keyFields, comment, check);
    pair.publicKey = "ssh-ed25519 " + base64(pubBlob) + (comment.empty() ? "" : " " + comment);
    return pair;
}

} // namespace berth::vm
