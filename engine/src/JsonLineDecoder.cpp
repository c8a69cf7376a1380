#include "berth/engine/JsonLineDecoder.h"

namespace berth::engine {

Status JsonLineDecoder::emit(std::string_view line)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
        return Ok{};
    auto value = nlohmann::json::parse(line, nullptr, false);
    if (value.is_discarded()) {
        m_failed = true;
        constexpr std::size_t shown = 120;
        return Error{ErrorKind::Malformed, "the engine sent a line that is not JSON: \"" +
                                               std::string(line.substr(0, shown)) +
                                               (line.size() > shown ? "…\"" : "\"")};
    }
    m_sink(std::move(value));
    return Ok{};
}

Status JsonLineDecoder::feed(std::string_view data)
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "the JSON stream already failed"};
    while (!data.empty()) {
        const auto newline = data.find('\n');
        const auto piece = data.substr(0, newline);
        if (m_line.size() + piece.size() > m_lineLimit) {
            m_failed = true;
            return Error{ErrorKind::Malformed, "the engine sent a JSON line longer than " +
                                                   std::to_string(m_lineLimit) + " bytes; it was dropped"};
        }
        if (newline == std::string_view::npos) {
            m_line.append(piece);
            break;
        }
        Status status = Ok{};
        if (m_line.empty()) {
            status = emit(piece);
        } else {
            m_line.append(piece);
            status = emit(m_line);
            m_line.clear();
        }
        if (!status)
            return status;
        data.remove_prefix(newline + 1);
    }
    return Ok{};
}

Status JsonLineDecoder::finish()
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "the JSON stream already failed"};
    auto status = emit(m_line);
    m_line.clear();
    return status;
}

} // namespace berth::engine
