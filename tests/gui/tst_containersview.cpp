// The Containers page's widgets, fed the engine's captured list answer (tests/unit/captures):
// row heights while filtering, the State and Created texts, and the keyboard. The engine's own
// answers reach the same model in tst_desktop.
#include "ContainerModel.h"
#include "ContainersView.h"
#include "EngineService.h"
#include "PortLinkDelegate.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>
#include <nlohmann/json.hpp>

using berth::app::ContainerModel;
using berth::app::ContainersView;
using berth::app::EngineService;
using berth::engine::Container;

namespace {

// The captured answer's entries: busy (running), tty and plain (exited 0, 50 and 56 s before).
nlohmann::json capturedList()
{
    QFile file(QString(BERTH_CAPTURES_DIR) + "/containers-list.http");
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the containers-list capture");
    for (const auto& line : file.readAll().split('\n'))
        if (line.startsWith('['))
            return nlohmann::json::parse(line.trimmed().toStdString());
    qFatal("the containers-list capture holds no list");
}

// A captured entry under another ID and name, with labels and a status of our choosing.
Container variant(const nlohmann::json& entry, const std::string& id, const std::string& name,
                  const std::string& status, const std::map<std::string, std::string>& labels = {})
{
    auto json = entry;
    json["Id"] = id;
    json["Names"] = nlohmann::json::array({"/" + name});
    json["Status"] = status;
    json["State"] = status.starts_with("Up") ? "running" : "exited";
    for (const auto& [key, value] : labels)
        json["Labels"][key] = value;
    return Container::fromSummary(json);
}

} // namespace

class TestContainersView final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<EngineService> m_engine; // never started: nothing here asks the engine
    std::unique_ptr<ContainerModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<ContainersView> m_view;

    QTreeView* tree() const { return m_view->tree(); }
    QLineEdit* filter() const { return m_view->findChild<QLineEdit*>("containersFilter"); }
    QModelIndex row(const QString& name) const
    {
        const auto matches = tree()->model()->match(tree()->model()->index(0, 0), Qt::DisplayRole, name, 1,
                                                    Qt::MatchExactly | Qt::MatchRecursive);
        return matches.isEmpty() ? QModelIndex() : matches.front();
    }
    QString cell(const QString& name, int column, int role = Qt::DisplayRole) const
    {
        return row(name).siblingAtColumn(column).data(role).toString();
    }

private slots:
    void init()
    {
        m_engine =
            std::make_unique<EngineService>(berth::engine::Endpoint::unixSocket("/nonexistent/engine.sock"));
        m_model = std::make_unique<ContainerModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Container> containers;
        const auto list = capturedList();
        for (const auto& entry : list)
            containers.push_back(Container::fromSummary(entry));
        const std::map<std::string, std::string> shop{{"com.docker.compose.project", "shop"}};
        auto web = variant(list[0], "a1", "shop-web-1", "Up 2 minutes", shop);
        web.ports.push_back({"0.0.0.0", 80, 8080, "tcp"});
        containers.push_back(web);
        containers.push_back(variant(list[0], "a2", "shop-db-1", "Exited (137) 5 minutes ago", shop));
        m_model->reset(containers);
        m_view = std::make_unique<ContainersView>(m_engine.get(), m_model.get());
        m_view->resize(1100, 600);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        QVERIFY(QTest::qWaitForWindowActive(m_view.get()));
    }

    void cleanup()
    {
        m_view.reset();
        m_tester.reset();
        m_model.reset();
        m_engine.reset();
    }

    // Exit codes and ages, not bare state words.
    void stateSaysTheExitCodeAndWhen()
    {
        QCOMPARE(cell("busy", ContainerModel::State), QString("Running"));
        QCOMPARE(cell("tty", ContainerModel::State), QString::fromUtf8("Exited (0) \u00b7 just now"));
        QCOMPARE(cell("shop-db-1", ContainerModel::State),
                 QString::fromUtf8("Exited (137) \u00b7 5 min ago"));
        QCOMPARE(row("shop-db-1").data(ContainerModel::ExitCodeRole).toInt(), 137);
        QVERIFY(row("busy").data(ContainerModel::ExitCodeRole).isNull());
        QCOMPARE(cell("tty", ContainerModel::State, Qt::ToolTipRole), QString("Exited (0) 50 seconds ago"));
        // Created long before today's clock, in the capture: a relative time, the date in its tooltip.
        QVERIFY2(cell("busy", ContainerModel::Created).endsWith(" ago") ||
                     cell("busy", ContainerModel::Created) == "just now",
                 qPrintable(cell("busy", ContainerModel::Created)));
        QVERIFY(cell("busy", ContainerModel::Created, Qt::ToolTipRole).startsWith("20"));

        // The die event: "Exited" at once, the code with the next list entry.
        m_model->setState(row("busy").data(ContainerModel::IdRole).toString(), "exited");
        QCOMPARE(cell("busy", ContainerModel::State), QString::fromUtf8("Exited \u00b7 just now"));
        const auto busy = capturedList()[0];
        m_model->upsert(
            variant(busy, busy["Id"].get<std::string>(), "busy", "Exited (3) Less than a second ago"));
        QCOMPARE(cell("busy", ContainerModel::State), QString::fromUtf8("Exited (3) \u00b7 just now"));
    }

    // An action on its way shows in State ("Stopping…") and holds the container's other actions.
    void pendingActionShowsAndHoldsActions()
    {
        auto* stop = m_view->findChild<QAction*>("containersStop");
        auto* remove = m_view->findChild<QAction*>("containersDelete");
        QVERIFY(stop && remove);
        tree()->selectionModel()->select(row("busy"),
                                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(stop->isEnabled() && remove->isEnabled());
        const auto id = row("busy").data(ContainerModel::IdRole).toString();
        m_model->setPending(id, "Stopping…");
        QCOMPARE(cell("busy", ContainerModel::State), QString("Stopping…"));
        QCOMPARE(row("busy").data(ContainerModel::StateRole).toString(), QString("running"));
        QVERIFY(!stop->isEnabled() && !remove->isEnabled());
        m_model->clearPending(id);
        QCOMPARE(cell("busy", ContainerModel::State), QString("Running"));
        QVERIFY(stop->isEnabled() && remove->isEnabled());
    }

    // A Compose project's row: figures aligned with its containers', no terminal or chart for
    // the whole project, and a delete question that names the project and its containers.
    void composeGroupRow()
    {
        const auto group = row("shop");
        const auto child = row("shop-web-1");
        for (int column : {int(ContainerModel::Cpu), int(ContainerModel::Memory)})
            QCOMPARE(group.siblingAtColumn(column).data(Qt::TextAlignmentRole),
                     child.siblingAtColumn(column).data(Qt::TextAlignmentRole));
        tree()->selectionModel()->select(group,
                                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        auto* terminal = m_view->findChild<QAction*>("containersTerminal");
        auto* stats = m_view->findChild<QAction*>("containersStats");
        QVERIFY(!terminal->isEnabled() && !stats->isEnabled());
        tree()->selectionModel()->select(child,
                                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(terminal->isEnabled() && stats->isEnabled());

        tree()->selectionModel()->select(group,
                                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->findChild<QAction*>("containersDelete")->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = m_view->findChild<QMessageBox*>("confirmDelete")) != nullptr && box->isVisible());
        QCOMPARE(box->text(), QString("Delete the Compose project shop: 2 containers?"));
        QVERIFY2(box->informativeText().startsWith("shop-web-1, shop-db-1") ||
                     box->informativeText().startsWith("shop-db-1, shop-web-1"),
                 qPrintable(box->informativeText()));
        QVERIFY(box->informativeText().contains("stopped first")); // one of them runs
        box->reject();
    }

    // Columns: at the width the tree has in a 900 px window every column is in sight and
    // Created is not clipped; wide, Name does not take all the spare width.
    void columnsFit()
    {
        auto* header = tree()->header();
        const auto clipped = [this, header](const QString& name, int column) {
            const auto text = cell(name, column);
            return tree()->fontMetrics().horizontalAdvance(text) + 12 > header->sectionSize(column);
        };
        m_view->resize(720, 500);
        QCoreApplication::processEvents();
        const int last =
            header->sectionPosition(ContainerModel::Created) + header->sectionSize(ContainerModel::Created);
        QVERIFY2(last <= tree()->viewport()->width(),
                 qPrintable(QString("%1 > %2").arg(last).arg(tree()->viewport()->width())));
        QCOMPARE(tree()->horizontalScrollBar()->maximum(), 0);
        for (const auto* name : {"busy", "tty", "shop-db-1"}) {
            QVERIFY2(!clipped(name, ContainerModel::Created), name);
            QVERIFY2(!clipped(name, ContainerModel::State), name);
        }

        m_view->resize(1600, 600);
        QCoreApplication::processEvents();
        QVERIFY2(header->sectionSize(ContainerModel::Name) < tree()->viewport()->width() / 2,
                 qPrintable(QString::number(header->sectionSize(ContainerModel::Name))));
        QVERIFY(qAbs(header->sectionSize(ContainerModel::Name) -
                     header->sectionSize(ContainerModel::Ports)) <= 1);
    }

    // A port link with no browser to open it: said so, and the address is on the clipboard.
    void portLinkWithoutABrowser()
    {
        qputenv("PATH", "/nonexistent");
        qunsetenv("BROWSER");
        auto* links =
            qobject_cast<berth::app::PortLinkDelegate*>(tree()->itemDelegateForColumn(ContainerModel::Ports));
        QVERIFY(links);
        QCOMPARE(row("shop-web-1")
                     .siblingAtColumn(ContainerModel::Ports)
                     .data(ContainerModel::PortLinksRole)
                     .toStringList(),
                 QStringList{"http://localhost:8080"});
        emit links->linkActivated(QUrl("http://localhost:8080"));
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = m_view->findChild<QMessageBox*>("portLinkNotOpened")) != nullptr &&
                    box->isVisible());
        QVERIFY2(box->text().contains("http://localhost:8080"), qPrintable(box->text()));
        QCOMPARE(QGuiApplication::clipboard()->text(), QString("http://localhost:8080"));
        box->accept();
    }

    // Filtering for a Compose project leaves its rows as tall as any other.
    void filteringKeepsRowHeights()
    {
        const int height = tree()->visualRect(row("busy")).height();
        QVERIFY2(height >= tree()->fontMetrics().height() + 8, qPrintable(QString::number(height)));
        QTest::keyClicks(filter(), "shop");
        QTRY_VERIFY(!row("busy").isValid());
        for (const auto* name : {"shop", "shop-web-1", "shop-db-1"}) {
            const auto index = row(name);
            QVERIFY2(index.isValid(), name);
            QCOMPARE(tree()->visualRect(index).height(), height);
        }
    }

    // Ctrl+F to the filter, Escape back; Enter opens a container and folds a group.
    void keyboard()
    {
        tree()->setFocus();
        QTest::keySequence(m_view.get(), QKeySequence::Find);
        QVERIFY(filter()->hasFocus());
        QTest::keyClicks(filter(), "busy");
        QTRY_VERIFY(!row("tty").isValid());
        QTest::keyClick(filter(), Qt::Key_Escape);
        QVERIFY(filter()->text().isEmpty());
        QVERIFY(tree()->hasFocus());

        QSignalSpy opened(m_view.get(), &ContainersView::openRequested);
        tree()->setCurrentIndex(row("tty"));
        QTest::keyClick(tree(), Qt::Key_Return);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.at(0).at(1).toString(), QString("tty"));
        QVERIFY(!opened.at(0).at(0).toString().isEmpty());

        const auto group = row("shop");
        QVERIFY(tree()->isExpanded(group));
        tree()->setCurrentIndex(group);
        QTest::keyClick(tree(), Qt::Key_Return);
        QVERIFY(!tree()->isExpanded(group));
        QTest::keyClick(tree(), Qt::Key_Enter);
        QVERIFY(tree()->isExpanded(group));
        QCOMPARE(opened.size(), 1); // a group only folds
        // A double click opens a container too.
        const auto at = tree()->visualRect(row("tty")).center();
        QTest::mouseClick(tree()->viewport(), Qt::LeftButton, {}, at); // the press a double click follows
        QTest::mouseDClick(tree()->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(opened.size(), 2);
    }
};

QTEST_MAIN(TestContainersView)
#include "tst_containersview.moc"
