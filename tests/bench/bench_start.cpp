// Benchmark: `berth start` to a ready engine, by phase, cold (a new instance: keys made, data
// disk formatted) and warm (after `berth stop`), beside baselines measured in the same run:
// the same image booted straight by QEMU without the agent (QEMU spawn to dockerd's /_ping in
// the guest) and the floor (kernel and a trivial initramfs). Prints a table; asserts only that
// the starts worked. Run: build/bin/bench_start (BERTH_BENCH_RUNS sets the runs, default 3).
#include "BenchMain.h"
#include "GuestVm.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdio>
#include <map>

using berth::test::GuestVm;
using berth::test::median;


class BenchStart final : public QObject
{
    Q_OBJECT

    QProcessEnvironment environment(const QString& home, const QString& dockerConfig) const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("BERTH_HOME", home);
        env.insert("BERTH_IMAGE_DIR", berth::test::imageDir());
        env.insert("DOCKER_CONFIG", dockerConfig);
        return env;
    }

    berth::test::ProcessRun berth(const QStringList& args, const QProcessEnvironment& env)
    {
        return berth::test::runProcess(berth::test::binDir() + "/berth", args, {}, 300000, env);
    }

private slots:
    void startByPhase()
    {
        const int runs = berth::test::benchRuns();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // phase name → host seconds since the agent began, per kind of start
        std::map<std::string, std::vector<double>> cold, warm;
        std::vector<std::string> order;
        std::vector<double> coldWall, warmWall;

        for (int i = 0; i < runs; ++i) {
            const auto env = environment(dir.filePath(QString("h%1").arg(i)), dir.filePath("docker"));
            for (int kind = 0; kind < 2; ++kind) { // 0: cold (new instance), 1: warm (after stop)
                QElapsedTimer wall;
                wall.start();
                const auto run = berth({"start"}, env);
                const double took = wall.nsecsElapsed() / 1e9;
                QVERIFY2(run.exitCode == 0, run.err.constData());
                const auto status = QJsonDocument::fromJson(berth({"status", "--json"}, env).out).object();
                auto& into = kind == 0 ? cold : warm;
                (kind == 0 ? coldWall : warmWall).push_back(took);
                for (const auto& p : status.value("phases").toArray()) {
                    const auto name = p.toObject().value("name").toString().toStdString();
                    if (std::find(order.begin(), order.end(), name) == order.end())
                        order.push_back(name);
                    into[name].push_back(p.toObject().value("host_s").toDouble());
                }
                QCOMPARE(berth({"stop"}, env).exitCode, 0);
            }
        }

        // Baselines: the same image and resources without the agent, then the floor.
        std::vector<double> direct, floor;
        for (int i = 0; i < runs; ++i) {
            const auto d = dir.filePath(QString("direct%1").arg(i));
            QDir().mkpath(d);
            GuestVm vm(d, {});
            QVERIFY2(vm.boot(std::chrono::seconds(300)), qPrintable(vm.errorString()));
            direct.push_back(std::chrono::duration<double>(vm.events().back().received - vm.spawnedAt()).count());
            QVERIFY(vm.powerdown(std::chrono::seconds(90)));

            const auto f = dir.filePath(QString("floor%1").arg(i));
            QDir().mkpath(f);
            QString error;
            const double seconds = berth::test::floorBootSeconds(f, &error);
            QVERIFY2(seconds >= 0, qPrintable(error));
            floor.push_back(seconds);
        }

        std::printf("\n`berth start` under %s, %d run(s), median seconds since the agent began (phase reached)\n",
                    "the accelerator Berth chose", runs);
        std::printf("| %-36s | %8s | %8s |\n", "phase", "cold", "warm");
        std::printf("|%s|%s|%s|\n", std::string(38, '-').c_str(), std::string(10, '-').c_str(),
                    std::string(10, '-').c_str());
        for (const auto& name : order)
            std::printf("| %-36s | %8.2f | %8.2f |\n", name.c_str(), median(cold[name]), median(warm[name]));
        std::printf("| %-36s | %8.2f | %8.2f |\n", "`berth start` wall time (CLI)", median(coldWall), median(warmWall));
        std::printf("| %-36s | %8.2f | %8.2f |\n", "baseline: QEMU direct, spawn -> ready", median(direct),
                    median(direct));
        std::printf("| %-36s | %8.2f | %8.2f |\n", "floor: spawn -> trivial init ready", median(floor), median(floor));
        std::printf("| %-36s | %8.2f | %8.2f |\n\n", "berth start - direct boot (overhead)",
                    median(coldWall) - median(direct), median(warmWall) - median(direct));
        std::fflush(stdout);
    }
};

BERTH_BENCH_MAIN(BenchStart)
#include "bench_start.moc"
