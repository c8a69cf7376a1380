// The Inspect view's tree over a container's inspect JSON, as the engine sent it (captured from
// docker.io 26.1.5 in the guest: tests/unit/captures/container-inspect.http).
#include "JsonTreeModel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QTest>

using berth::app::JsonTreeModel;

namespace {

// The JSON body of the captured answer (one chunk of chunked transfer encoding).
nlohmann::json capturedInspect()
{
    QFile file(QString(BERTH_CAPTURES_DIR) + "/container-inspect.http");
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const auto bytes = file.readAll();
    const auto body = bytes.mid(bytes.indexOf('{'), bytes.lastIndexOf('}') - bytes.indexOf('{') + 1);
    return nlohmann::json::parse(body.toStdString(), nullptr, false);
}

} // namespace

class TestJsonTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void treeFollowsTheDocument()
    {
        const auto doc = capturedInspect();
        QVERIFY(doc.is_object() && doc.contains("Config"));
        JsonTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDocument(doc);
        QCOMPARE(model.rowCount(), static_cast<int>(doc.size()));
        // nlohmann::json keeps object keys sorted; the rows follow.
        QCOMPARE(model.index(0, JsonTreeModel::Key).data().toString(), QString::fromStdString(doc.begin().key()));

        const auto args = model.find("Args").value(0);
        QVERIFY(args.isValid());
        QCOMPARE(args.data(JsonTreeModel::PathRole).toString(), QString(".Args"));
        QVERIFY(args.data(JsonTreeModel::IsBranchRole).toBool());
        QCOMPARE(args.siblingAtColumn(JsonTreeModel::Value).data().toString(), QString("[2 items]"));
        QCOMPARE(model.rowCount(args), 2);
        const auto second = model.index(1, JsonTreeModel::Value, args);
        QCOMPARE(second.data().toString(), QString("while true; do :; done"));
        QCOMPARE(second.data(JsonTreeModel::PathRole).toString(), QString(".Args[1]"));
        QCOMPARE(model.parent(second), args);
        QCOMPARE(args.data(JsonTreeModel::CopyValueRole).toString(), QString("[\"-c\",\"while true; do :; done\"]"));
    }

    // Search finds a label by its key and by its value; the path quotes keys jq cannot write
    // bare, and "copy value" gives strings without quotes.
    void searchFindsALabelAndItsPath()
    {
        nlohmann::json doc = capturedInspect();
        doc["Config"]["Labels"]["com.example.team"] = "payments";
        doc["Config"]["Labels"]["say \"hi\""] = 42;
        JsonTreeModel model;
        model.setDocument(doc);
        const auto byKey = model.find("com.example.TEAM");
        QCOMPARE(byKey.size(), 1);
        QCOMPARE(byKey[0].data(JsonTreeModel::PathRole).toString(), QString(".Config.Labels[\"com.example.team\"]"));
        QCOMPARE(byKey[0].data(JsonTreeModel::CopyValueRole).toString(), QString("payments"));
        const auto byValue = model.find("payments");
        QCOMPARE(byValue, byKey);
        const auto quoted = model.find("say \"hi\"").value(0);
        QCOMPARE(quoted.data(JsonTreeModel::PathRole).toString(), QString(".Config.Labels[\"say \\\"hi\\\"\"]"));
        QCOMPARE(quoted.data(JsonTreeModel::CopyValueRole).toString(), QString("42"));
        QVERIFY(model.find(QString()).isEmpty());
        QVERIFY(model.find("no-such-text-anywhere").isEmpty());
    }

    // A very deep document builds without recursion.
    void deepDocuments()
    {
        nlohmann::json doc = 1;
        for (int i = 0; i < 20000; ++i) {
            auto outer = nlohmann::json::array();
            outer.push_back(std::move(doc));
            doc = std::move(outer);
        }
        JsonTreeModel model;
        // Moved in: nlohmann::json's copy recurses once per level, which overflowed the stack
        // under AddressSanitizer (its destructor does not recurse).
        model.setDocument(std::move(doc));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.find("1").size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestJsonTreeModel)
#include "tst_jsontreemodel.moc"
