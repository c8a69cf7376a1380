#include "berth/engine/ApiVersion.h"

#include <QTest>

using berth::engine::ApiVersion;

class TestApiVersion final : public QObject
{
    Q_OBJECT

private slots:
    void parsesWellFormed()
    {
        const auto v = ApiVersion::parse("1.45");
        QVERIFY(v.has_value());
        QCOMPARE(v->major(), 1);
        QCOMPARE(v->minor(), 45);
        QCOMPARE(v->toString(), std::string("1.45"));
        QCOMPARE(v->pathPrefix(), std::string("/v1.45"));
    }

    void rejectsMalformed_data()
    {
        QTest::addColumn<QString>("text");
        for (const char* bad : {"", "1", "1.", ".45", "1.45.2", "v1.45", "-1.45", "1.-4", " 1.45", "1.45 ", "a.b",
                                "99999.1"})
            QTest::newRow(bad) << QString::fromLatin1(bad);
    }
    void rejectsMalformed()
    {
        QFETCH(QString, text);
        QVERIFY(!ApiVersion::parse(text.toStdString()).has_value());
    }

    void orders()
    {
        QVERIFY(ApiVersion(1, 41) < ApiVersion(1, 45));
        QVERIFY(ApiVersion(1, 9) < ApiVersion(1, 10)); // numeric, not lexical
        QVERIFY(ApiVersion(2, 0) > ApiVersion(1, 99));
    }

    void negotiates()
    {
        QCOMPARE(ApiVersion::negotiate({1, 45}), std::optional<ApiVersion>(ApiVersion(1, 45)));
        QCOMPARE(ApiVersion::negotiate({1, 47}), std::optional<ApiVersion>(ApiVersion(1, 45)));
        QCOMPARE(ApiVersion::negotiate({1, 41}), std::optional<ApiVersion>(ApiVersion(1, 41)));
        QVERIFY(!ApiVersion::negotiate({1, 40}).has_value());
    }
};

QTEST_GUILESS_MAIN(TestApiVersion)
#include "tst_apiversion.moc"
