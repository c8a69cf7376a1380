// ContainerModel fed by EngineService from the real engine: the first list, then one row at a
// time from /events, under QAbstractItemModelTester. One VM for the whole file.
#include "ContainerModel.h"
#include "EngineService.h"
#include "EngineVm.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using berth::app::ContainerModel;
using berth::app::EngineService;
using berth::test::EngineVm;

class TestContainerModel final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EngineVm> m_engine;
    std::unique_ptr<EngineService> m_service;
    std::unique_ptr<ContainerModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QString stateOf(const QString& id) const
    {
        const auto index = m_model->indexOf(id, ContainerModel::State);
        return index.isValid() ? index.data(ContainerModel::StateRole).toString() : QString();
    }
    QString docker(const QStringList& args)
    {
        const auto run = m_engine->docker(args);
        if (run.exitCode != 0)
            qWarning("docker %s: %s", qPrintable(args.join(' ')), run.err.constData());
        return QString::fromUtf8(run.out).trimmed();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        berth::test::keepIfAsked(m_dir);
        m_engine =
            std::make_unique<EngineVm>(m_dir.path(), EngineVm::Options{.registry = false, .memoryMiB = 2048});
        const auto error = m_engine->start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_model = std::make_unique<ContainerModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_service = std::make_unique<EngineService>(m_engine->endpoint());
        connect(m_service.get(), &EngineService::containersReset, m_model.get(), &ContainerModel::reset);
        connect(m_service.get(), &EngineService::containerChanged, m_model.get(), &ContainerModel::upsert);
        connect(m_service.get(), &EngineService::containerRemoved, m_model.get(), &ContainerModel::remove);
        connect(m_service.get(), &EngineService::operationFailed, this,
                [](const QString& what, const QString& message) {
                    qInfo("%s failed: %s", qPrintable(what), qPrintable(message));
                });
    }

    void cleanupTestCase()
    {
        m_service.reset();
        m_tester.reset();
        m_engine->stop();
    }

    void firstListThenEvents()
    {
        const auto existing = docker({"create", "--name", "before", "bb:1", "true"});
        QVERIFY(!existing.isEmpty());
        QSignalSpy reachable(m_service.get(), &EngineService::engineReachable);
        m_service->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_service->reachable(), 30000);
        QTRY_VERIFY(m_model->indexOf(existing).isValid());
        QCOMPARE(m_model->indexOf(existing, ContainerModel::Name).data().toString(), QString("before"));

        // A new container appears as a row from its create event, without any list request.
        QElapsedTimer timer;
        timer.start();
        const auto id = docker({"run", "-d", "--name", "standalone", "bb:1", "sleep", "100000"});
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), QString("running"), 30000);
        QVERIFY(!m_model->indexOf(id).parent().isValid());

        // Compose containers are grouped under their project.
        const auto web =
            docker({"run", "-d", "--name", "proj-web-1", "--label", "com.docker.compose.project=proj",
                    "--label", "com.docker.compose.service=web", "bb:1", "sleep", "100000"});
        const auto db = docker({"create", "--name", "proj-db-1", "--label", "com.docker.compose.project=proj",
                                "--label", "com.docker.compose.service=db", "bb:1", "true"});
        QTRY_VERIFY_WITH_TIMEOUT(m_model->indexOf(web).isValid() && m_model->indexOf(db).isValid(), 30000);
        const auto group = m_model->indexOf(web).parent();
        QVERIFY(group.isValid());
        QCOMPARE(group.data().toString(), QString("proj"));
        QCOMPARE(m_model->rowCount(group), 2);
        QTRY_COMPARE(group.siblingAtColumn(ContainerModel::State).data().toString(),
                     QString("1 of 2 running"));

        // Actions through the service, seen back through events.
        m_service->stopContainer(id);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), QString("exited"), 60000);
        m_service->pauseContainer(web);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(web), QString("paused"), 30000);
        m_service->unpauseContainer(web);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(web), QString("running"), 30000);
        QSignalSpy failures(m_service.get(), &EngineService::operationFailed);
        m_service->removeContainer(web, false); // running: the engine refuses, with its reason
        QTRY_COMPARE_WITH_TIMEOUT(failures.size(), 1, 30000);
        QVERIFY2(failures.at(0).at(1).toString().contains("stop the container before removing"),
                 qPrintable(failures.at(0).at(1).toString()));
        m_service->removeContainer(web, true);
        m_service->removeContainer(db, true);
        QTRY_VERIFY_WITH_TIMEOUT(!m_model->indexOf(web).isValid() && !m_model->indexOf(db).isValid(), 30000);
        QVERIFY(m_model->match(m_model->index(0, 0), ContainerModel::ProjectRole, "proj")
                    .isEmpty()); // group gone
        m_service->removeContainer(id, true);
        m_service->removeContainer(existing, true);
        QTRY_COMPARE_WITH_TIMEOUT(m_model->containerCount(), 0, 30000);
    }

    void engineLossIsReported()
    {
        QSignalSpy reachable(m_service.get(), &EngineService::engineReachable);
        m_engine->vm().kill(); // the VM dies: the event stream breaks
        QTRY_VERIFY_WITH_TIMEOUT(!m_service->reachable(), 30000);
        QCOMPARE(reachable.last().at(0).toBool(), false);
    }
};

QTEST_GUILESS_MAIN(TestContainerModel)
#include "tst_containermodel.moc"
