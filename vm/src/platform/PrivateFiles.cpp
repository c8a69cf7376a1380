#include "berth/vm/PrivateFiles.h"

#include "PlatformDetail.h"

namespace berth::vm {

Status makePrivateFolder(const std::filesystem::path& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return Error{"cannot create " + dir.string() + ": " + ec.message()};
    return detail::restrictToUser(dir);
}

} // namespace berth::vm
