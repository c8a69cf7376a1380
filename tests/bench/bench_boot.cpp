// Benchmark: where the guest's boot time goes, beside the floor measured in the same run (the
// same kernel and QEMU booting an initramfs that only reports and powers off).
// Prints a table; asserts nothing about time. Run: build/bin/bench_boot [-- runs N]
#include "BenchMain.h"
#include "GuestVm.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdio>
#include <map>

using berth::test::GuestVm;
using berth::test::median;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

} // namespace

class BenchBoot final : public QObject
{
    Q_OBJECT

private slots:
    void bootPhases()
    {
        const int runs = berth::test::benchRuns();
        QTemporaryDir dir;

        std::vector<double> floor;
        for (int i = 0; i < runs; ++i) {
            const auto d = dir.filePath(QString("floor%1").arg(i));
            QDir().mkpath(d);
            QString error;
            const double f = berth::test::floorBootSeconds(d, &error);
            QVERIFY2(f >= 0, qPrintable(error));
            floor.push_back(f);
        }

        // Phase durations, by the name of the phase they end with; "kernel" is QEMU spawn to
        // the kernel's start (firmware), estimated from the first report's guest uptime.
        const std::vector<std::string> order{"firmware", "initramfs", "init", "data-disk", "services",
                                             "containerd", "ready", "total"};
        std::map<std::string, std::vector<double>> cold, warm;
        const auto d = dir.filePath("engine");
        QDir().mkpath(d);
        GuestVm vm(d, {});
        for (int i = 0; i <= runs; ++i) {
            QVERIFY2(vm.boot(std::chrono::seconds(300)), qPrintable(vm.errorString()));
            auto& into = i == 0 ? cold : warm;
            const auto events = vm.events();
            const auto kernelStart = events.front().received - std::chrono::duration_cast<Clock::duration>(
                                                                   std::chrono::duration<double>(events.front().guestUptime));
            into["firmware"].push_back(seconds(kernelStart - vm.spawnedAt()));
            double last = 0;
            for (const auto& e : events) {
                into[e.name].push_back(e.guestUptime - last);
                last = e.guestUptime;
            }
            into["total"].push_back(seconds(events.back().received - vm.spawnedAt()));
            QVERIFY2(vm.powerdown(std::chrono::seconds(90)), qPrintable(vm.errorString()));
        }

        std::printf("\nGuest boot under %s, %d run(s) each, median seconds (phase = time until it was reached)\n",
                    qEnvironmentVariable("BERTH_TEST_ACCEL", "tcg").toUtf8().constData(), runs);
        std::printf("| %-34s | %8s | %8s |\n", "phase", "cold", "warm");
        std::printf("|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(10, '-').c_str(),
                    std::string(10, '-').c_str());
        const std::map<std::string, std::string> label{
            {"firmware", "QEMU spawn -> kernel start"},       {"initramfs", "kernel -> initramfs /init"},
            {"init", "initramfs -> stage-2 init"},            {"data-disk", "init: fw_cfg, network"},
            {"services", "data disk (mkfs or fsck) + mount"}, {"containerd", "containerd up"},
            {"ready", "dockerd answers /_ping"},              {"total", "QEMU spawn -> engine ready"}};
        for (const auto& name : order)
            std::printf("| %-34s | %8.2f | %8.2f |\n", label.at(name).c_str(), median(cold[name]), median(warm[name]));
        const double f = median(floor);
        std::printf("| %-34s | %8.2f | %8.2f |\n", "floor: spawn -> trivial init ready", f, f);
        std::printf("| %-34s | %7.1fx | %7.1fx |\n\n", "engine ready / floor", median(cold["total"]) / f,
                    median(warm["total"]) / f);
        std::fflush(stdout);
    }
};

BERTH_BENCH_MAIN(BenchBoot)
#include "bench_boot.moc"
