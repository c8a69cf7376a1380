// engine/'s API version: parsing, ordering and the negotiation with the daemon's version.
#include "Check.h"
#include "berth/engine/ApiVersion.h"

using berth::engine::ApiVersion;

namespace {

void parsesWellFormed()
{
    const auto v = ApiVersion::parse("1.45");
    VERIFY(v.has_value());
    COMPARE(v->major(), 1);
    COMPARE(v->minor(), 45);
    COMPARE(v->toString(), std::string("1.45"));
    COMPARE(v->pathPrefix(), std::string("/v1.45"));
}

void rejectsMalformed()
{
    for (const char* bad :
         {"", "1", "1.", ".45", "1.45.2", "v1.45", "-1.45", "1.-4", " 1.45", "1.45 ", "a.b", "99999.1"})
        CHECK(!ApiVersion::parse(bad).has_value(), std::string("accepted '") + bad + "'");
}

void orders()
{
    VERIFY(ApiVersion(1, 41) < ApiVersion(1, 45));
    VERIFY(ApiVersion(1, 9) < ApiVersion(1, 10)); // numeric, not lexical
    VERIFY(ApiVersion(2, 0) > ApiVersion(1, 99));
}

void negotiates()
{
    COMPARE(ApiVersion::negotiate({1, 45}), std::optional<ApiVersion>(ApiVersion(1, 45)));
    COMPARE(ApiVersion::negotiate({1, 47}), std::optional<ApiVersion>(ApiVersion(1, 45)));
    COMPARE(ApiVersion::negotiate({1, 41}), std::optional<ApiVersion>(ApiVersion(1, 41)));
    VERIFY(!ApiVersion::negotiate({1, 40}).has_value());
}

} // namespace

int main()
{
    berth::test::run("parsesWellFormed", parsesWellFormed);
    berth::test::run("rejectsMalformed", rejectsMalformed);
    berth::test::run("orders", orders);
    berth::test::run("negotiates", negotiates);
    return berth::test::finish();
}
