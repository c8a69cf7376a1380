#include "berth/vm/Sha256.h"

#include <array>
#include <cstdio>
#include <fstream>

// windows.h first: the headers after it build on its types.
// clang-format off
#include <windows.h>
#include <bcrypt.h>
// clang-format on

namespace berth::vm {

namespace {

// One SHA-256 computation through Windows' CNG (bcrypt.dll).
class Sha256
{
public:
    Sha256()
    {
        if (BCryptOpenAlgorithmProvider(&m_algorithm, BCRYPT_SHA256_ALGORITHM, nullptr, 0) != 0)
            m_algorithm = nullptr;
        else if (BCryptCreateHash(m_algorithm, &m_hash, nullptr, 0, nullptr, 0, 0) != 0)
            m_hash = nullptr;
    }
    ~Sha256()
    {
        if (m_hash)
            BCryptDestroyHash(m_hash);
        if (m_algorithm)
            BCryptCloseAlgorithmProvider(m_algorithm, 0);
    }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    bool ok() const { return m_hash != nullptr; }
    void add(const char* data, std::size_t size)
    {
        BCryptHashData(m_hash, reinterpret_cast<PUCHAR>(const_cast<char*>(data)), static_cast<ULONG>(size),
                       0);
    }
    std::string hex()
    {
        std::array<unsigned char, 32> digest{};
        BCryptFinishHash(m_hash, digest.data(), static_cast<ULONG>(digest.size()), 0);
        std::string text;
        for (const unsigned char byte : digest) {
            char two[3];
            std::snprintf(two, sizeof two, "%02x", byte);
            text += two;
        }
        return text;
    }

private:
    BCRYPT_ALG_HANDLE m_algorithm = nullptr;
    BCRYPT_HASH_HANDLE m_hash = nullptr;
};

} // namespace

Result<std::string> sha256File(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return Error{"cannot read " + file.string()};
    Sha256 sha;
    if (!sha.ok())
        return Error{"SHA-256 is not available from Windows (BCrypt)"};
    std::array<char, 1 << 16> buffer{};
    while (in) {
        in.read(buffer.data(), buffer.size());
        if (in.gcount() > 0)
            sha.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad())
        return Error{"error while reading " + file.string()};
    return sha.hex();
}

std::string sha256Hex(const std::string& data)
{
    Sha256 sha;
    if (!sha.ok())
        return {};
    sha.add(data.data(), data.size());
    return sha.hex();
}

} // namespace berth::vm
