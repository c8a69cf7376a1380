// The stats windows fed by hand: ContainerStatsView with samples shaped as the engine sends them
// (the captured stream in tests/unit/captures/stats-stream.http, and copies of its first sample
// with chosen times and counters), StatsOverview with the per-container figures EngineService
// passes on. No engine runs; the one EngineService here has nothing at its socket.
#include "ContainerModel.h"
#include "EngineService.h"
#include "StatsView.h"

#include <memory>
#include <vector>

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDir>
#include <QFile>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QTest>

using berth::app::ContainerModel;
using berth::app::ContainerStatsView;
using berth::app::EngineService;
using berth::app::StatsOverview;
namespace engine = berth::engine;

namespace {

constexpr quint64 kLimit = 2067369984; // the captured limit: the VM's memory, 1.93 GiB
constexpr quint64 kMiB = 1024 * 1024;

// The JSON samples of the captured stream; the recorder cut the last one short, so it is left out.
std::vector<nlohmann::json> capturedSamples()
{
    std::vector<nlohmann::json> samples;
    QFile file(QString(BERTH_CAPTURES_DIR) + "/stats-stream.http");
    if (!file.open(QIODevice::ReadOnly))
        return samples;
    for (const auto& line : file.readAll().split('\n')) {
        const auto text = line.trimmed();
        if (!text.startsWith('{'))
            continue;
        auto json = nlohmann::json::parse(text.toStdString(), nullptr, false);
        if (json.is_object())
            samples.push_back(std::move(json));
    }
    return samples;
}

// The captured first sample at `time`, with the given cumulative counters. Times are written with
// nanoseconds, as the engine writes them.
engine::Stats sampleAt(const QDateTime& time, quint64 rx, quint64 tx, quint64 read, quint64 written,
                       double cpuBusy = 0.5)
{
    auto json = capturedSamples().at(0);
    json["read"] = time.toUTC().toString("yyyy-MM-ddTHH:mm:ss.zzz").toStdString() + "123456Z";
    json["networks"]["eth0"]["rx_bytes"] = rx;
    json["networks"]["eth0"]["tx_bytes"] = tx;
    json["blkio_stats"]["io_service_bytes_recursive"] = nlohmann::json::array({
        {{"major", 254}, {"minor", 0}, {"op", "read"}, {"value", read}},
        {{"major", 254}, {"minor", 0}, {"op", "write"}, {"value", written}},
    });
    // One second on two CPUs, of which the container used `cpuBusy` CPU-seconds.
    json["precpu_stats"]["system_cpu_usage"] = 100'000'000'000ull;
    json["cpu_stats"]["system_cpu_usage"] = 102'000'000'000ull;
    json["precpu_stats"]["cpu_usage"]["total_usage"] = 1'000'000'000ull;
    json["cpu_stats"]["cpu_usage"]["total_usage"] = 1'000'000'000ull + std::uint64_t(cpuBusy * 1e9);
    return engine::Stats::fromJson(json);
}

engine::Container runningContainer(const QString& id, const QString& name)
{
    engine::Container c;
    c.id = id.toStdString();
    c.name = name.toStdString();
    c.names = {"/" + c.name};
    c.image = "busybox";
    c.state = "running";
    c.status = "Up 1 second";
    return c;
}

QString idOf(int n)
{
    return QString("%1").arg(n, 64, 16, QChar('0'));
}

QLineSeries* seriesNamed(QWidget* view, const char* chart, const char* objectName)
{
    auto* chartView = view->findChild<QChartView*>(chart);
    if (!chartView)
        return nullptr;
    for (auto* series : chartView->chart()->series())
        if (series->objectName() == objectName)
            return qobject_cast<QLineSeries*>(series);
    return nullptr;
}

QStringList seriesNames(StatsOverview* view, const char* chart)
{
    QStringList names;
    for (auto* series : view->findChild<QChartView*>(chart)->chart()->series())
        names.push_back(series->name());
    names.sort();
    return names;
}

} // namespace

class TestStatsView final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // A view whose engine has nothing to talk to and was never started: the stream stays open.
    std::unique_ptr<EngineService> idleEngine() const
    {
        return std::make_unique<EngineService>(
            engine::Endpoint::unixSocket(QDir(m_dir.path()).filePath("no-engine.sock").toStdString()));
    }

private slots:
    void capturedStreamIsCharted()
    {
        const auto captured = capturedSamples();
        QVERIFY(captured.size() >= 2);
        auto service = idleEngine();
        ContainerStatsView view(service.get(), "705bc5f04e36", "busy");
        QCOMPARE(view.objectName(), QString("containerStatsView"));
        QVERIFY(view.streaming());
        QCOMPARE(view.currentText(), QString("Waiting for the first sample\u2026"));
        for (const auto& json : captured)
            view.addSample(engine::Stats::fromJson(json));

        const int n = static_cast<int>(captured.size());
        QCOMPARE(view.pointCount(ContainerStatsView::Cpu), n);
        QCOMPARE(view.pointCount(ContainerStatsView::Memory), n);
        // Rates start with the second sample.
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkRx), n - 1);
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkTx), n - 1);
        QCOMPARE(view.pointCount(ContainerStatsView::BlockRead), n - 1);
        QCOMPARE(view.pointCount(ContainerStatsView::BlockWrite), n - 1);

        const auto last = engine::Stats::fromJson(captured.back());
        QVERIFY(last.cpuPercent > 0);
        auto* cpu = seriesNamed(&view, "statsCpuChart", "statsCpuSeries");
        QVERIFY(cpu);
        QCOMPARE(cpu->at(n - 1).y(), last.cpuPercent);
        const auto text = view.currentText();
        QVERIFY2(text.startsWith(QString("CPU %1 %").arg(QString::number(last.cpuPercent, 'f', 1))), qPrintable(text));
        QVERIFY2(text.contains("Memory 408 KiB of 1.93 GiB"), qPrintable(text));
        QVERIFY2(text.contains("Disk r 0 B/s w 0 B/s"), qPrintable(text));

        // The memory axis speaks in binary units, up to a round value above what the container
        // uses (408 KiB), not the VM's 1.93 GiB, against which it would be a flat line; the
        // limit's line waits until the use comes near it.
        auto* memoryAxis = qobject_cast<QCategoryAxis*>(
            view.findChild<QChartView*>("statsMemoryChart")->chart()->axes(Qt::Vertical).value(0));
        QVERIFY(memoryAxis);
        QCOMPARE(memoryAxis->max(), 1.0 * kMiB);
        QVERIFY2(memoryAxis->categoriesLabels().contains("1 MiB"),
                 qPrintable(memoryAxis->categoriesLabels().join(", ")));
        QVERIFY(!seriesNamed(&view, "statsMemoryChart", "statsLimitSeries")->isVisible());
    }

    void ratesComeFromDeltas()
    {
        auto service = idleEngine();
        ContainerStatsView view(service.get(), "705bc5f04e36", "busy");
        const auto t0 = QDateTime::currentDateTimeUtc();

        view.addSample(sampleAt(t0, 10000, 5000, 1 << 20, 0));
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkRx), 0);
        QVERIFY2(view.currentText().contains("Net \u2193\u2013 \u2191\u2013"), qPrintable(view.currentText()));
        QVERIFY2(view.currentText().contains("CPU 50.0 %"), qPrintable(view.currentText()));

        // 2048 bytes in, 512 out, 4 KiB read over two seconds.
        view.addSample(sampleAt(t0.addSecs(2), 12048, 5512, (1 << 20) + 4096, 0));
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkRx), 1);
        auto* rx = seriesNamed(&view, "statsNetworkChart", "statsNetworkRxSeries");
        auto* tx = seriesNamed(&view, "statsNetworkChart", "statsNetworkTxSeries");
        auto* read = seriesNamed(&view, "statsDiskChart", "statsBlockReadSeries");
        auto* written = seriesNamed(&view, "statsDiskChart", "statsBlockWriteSeries");
        QVERIFY(rx && tx && read && written);
        QCOMPARE(rx->at(0).y(), 1024.0);
        QCOMPARE(tx->at(0).y(), 256.0);
        QCOMPARE(read->at(0).y(), 2048.0);
        QCOMPARE(written->at(0).y(), 0.0);
        QCOMPARE(qint64(rx->at(0).x()), t0.addSecs(2).toMSecsSinceEpoch());
        QVERIFY2(view.currentText().contains("Net \u2193" "1 KiB/s \u2191" "256 B/s"), qPrintable(view.currentText()));
        QVERIFY2(view.currentText().contains("Disk r 2 KiB/s w 0 B/s"), qPrintable(view.currentText()));

        // Half a second later: 3 MiB written.
        view.addSample(sampleAt(t0.addMSecs(2500), 12048, 5512, (1 << 20) + 4096, 3 * kMiB));
        QCOMPARE(view.pointCount(ContainerStatsView::BlockWrite), 2);
        QCOMPARE(written->at(1).y(), 6.0 * kMiB);
        QCOMPARE(rx->at(1).y(), 0.0);
        QVERIFY2(view.currentText().contains("w 6.0 MiB/s"), qPrintable(view.currentText()));

        // A sample no later than the last is ignored; a counter that went back gives no rate.
        view.addSample(sampleAt(t0.addMSecs(2500), 99999, 99999, 0, 0));
        QCOMPARE(view.pointCount(ContainerStatsView::Cpu), 3);
        view.addSample(sampleAt(t0.addSecs(3), 100, 5612, (1 << 20) + 4096, 3 * kMiB));
        QCOMPARE(view.pointCount(ContainerStatsView::Cpu), 4);
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkRx), 2);
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkTx), 3);
        QCOMPARE(tx->at(2).y(), 200.0);
    }

    void oldPointsAreDropped()
    {
        auto service = idleEngine();
        ContainerStatsView view(service.get(), "705bc5f04e36", "busy");
        const auto t0 = QDateTime::currentDateTimeUtc().addSecs(-600);
        // Ten minutes, a sample every ten seconds.
        for (int i = 0; i <= 60; ++i)
            view.addSample(sampleAt(t0.addSecs(10 * i), 1000 * i, 0, 0, 0));
        const auto end = t0.addSecs(600);
        // The last five minutes, both ends included: 300 s, 310 s, … 600 s.
        QCOMPARE(view.pointCount(ContainerStatsView::Cpu), 31);
        QCOMPARE(view.pointCount(ContainerStatsView::Memory), 31);
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkRx), 31);
        auto* rx = seriesNamed(&view, "statsNetworkChart", "statsNetworkRxSeries");
        QCOMPARE(qint64(rx->at(0).x()), t0.addSecs(300).toMSecsSinceEpoch());
        QCOMPARE(rx->at(30).y(), 100.0);
        auto* limit = seriesNamed(&view, "statsMemoryChart", "statsLimitSeries");
        QCOMPARE(limit->count(), 31);

        // The time axes end at the latest sample and span five minutes.
        for (const char* name : {"statsCpuChart", "statsMemoryChart", "statsNetworkChart", "statsDiskChart"}) {
            auto* axis = qobject_cast<QDateTimeAxis*>(
                view.findChild<QChartView*>(name)->chart()->axes(Qt::Horizontal).value(0));
            QVERIFY(axis);
            QCOMPARE(axis->max().toMSecsSinceEpoch(), end.toMSecsSinceEpoch());
            QCOMPARE(axis->min().toMSecsSinceEpoch(), end.addSecs(-300).toMSecsSinceEpoch());
        }
    }

    void endOfStreamIsShown()
    {
        auto service = idleEngine();
        ContainerStatsView view(service.get(), "705bc5f04e36", "busy");
        ContainerStatsView other(service.get(), "0123456789ab", "other");
        const auto t0 = QDateTime::currentDateTimeUtc();
        view.addSample(sampleAt(t0, 0, 0, 0, 0));
        view.addSample(sampleAt(t0.addSecs(1), 512, 0, 0, 0));
        QVERIFY(view.streaming());
        // followStats was asked for when the views were made; started now, the service runs that
        // request before its first connection attempt and finds no engine.
        service->start();
        QTRY_VERIFY(!view.streaming());
        QTRY_VERIFY(!other.streaming());
        QVERIFY2(view.currentText().endsWith("The engine is not running."), qPrintable(view.currentText()));
        QVERIFY2(view.currentText().contains("Net \u2193" "512 B/s"), qPrintable(view.currentText()));
        QCOMPARE(other.currentText(), QString("The engine is not running."));
        // The graphs stay.
        QCOMPARE(view.pointCount(ContainerStatsView::Cpu), 2);
        QCOMPARE(view.pointCount(ContainerStatsView::NetworkRx), 1);
    }

    void overviewDrawsRunningContainers()
    {
        ContainerModel model;
        model.reset({runningContainer(idOf(1), "web"), runningContainer(idOf(2), "db"),
                     runningContainer(idOf(3), "cache")});
        StatsOverview view(&model);
        QCOMPARE(view.objectName(), QString("statsOverview"));
        qint64 clock = QDateTime::currentMSecsSinceEpoch();
        view.setClock([&clock] { return clock; });
        QCOMPARE(view.seriesCount(), 0);

        view.addSample(idOf(1), 12.5, 1 * kMiB, kLimit);
        view.addSample(idOf(2), 30.0, 2 * kMiB, kLimit);
        view.addSample(idOf(9), 1.0, kMiB, kLimit); // not in the model: not drawn
        QCOMPARE(view.seriesCount(), 2);
        QCOMPARE(view.pointCount(idOf(1)), 1);
        QCOMPARE(view.pointCount(idOf(9)), 0);
        clock += 1000;
        view.addSample(idOf(1), 14.0, 1 * kMiB, kLimit);
        QCOMPARE(view.pointCount(idOf(1)), 2);
        QCOMPARE(view.pointCount(idOf(2)), 1);
        QCOMPARE(seriesNames(&view, "statsOverviewCpuChart"), QStringList({"db", "web"}));
        QCOMPARE(seriesNames(&view, "statsOverviewMemoryChart"), QStringList({"db", "web"}));
        QTRY_COMPARE(view.totalsText(),
                     QString("2 containers  \u00b7  CPU 44.0 %  \u00b7  Memory 3.0 MiB of 1.93 GiB usable"));

        // A renamed container's lines follow its new name.
        auto renamed = runningContainer(idOf(2), "database");
        model.upsert(renamed);
        view.addSample(idOf(2), 30.0, 2 * kMiB, kLimit);
        QTRY_COMPARE(seriesNames(&view, "statsOverviewCpuChart"), QStringList({"database", "web"}));

        // Points older than five minutes go.
        for (int i = 0; i < 40; ++i) {
            clock += 10000;
            view.addSample(idOf(1), 1.0, kMiB, kLimit);
        }
        QCOMPARE(view.pointCount(idOf(1)), 31);
    }

    void overviewDropsGoneContainers()
    {
        ContainerModel model;
        model.reset({runningContainer(idOf(1), "web"), runningContainer(idOf(2), "db"),
                     runningContainer(idOf(3), "cache")});
        StatsOverview view(&model);
        qint64 clock = QDateTime::currentMSecsSinceEpoch();
        view.setClock([&clock] { return clock; });
        for (int i = 1; i <= 3; ++i)
            view.addSample(idOf(i), 1.0, kMiB, kLimit);
        QCOMPARE(view.seriesCount(), 3);

        model.remove(idOf(3));
        QTRY_COMPARE(view.seriesCount(), 2);
        QCOMPARE(seriesNames(&view, "statsOverviewMemoryChart"), QStringList({"db", "web"}));

        // Quiet for more than 30 seconds: web's lines go, db's stay.
        clock += 20000;
        view.addSample(idOf(2), 1.0, kMiB, kLimit);
        clock += 15000;
        view.addSample(idOf(2), 1.0, kMiB, kLimit);
        QTRY_COMPARE(view.seriesCount(), 1);
        QCOMPARE(view.pointCount(idOf(1)), 0);
        QCOMPARE(view.pointCount(idOf(2)), 3);
        // It comes back when it sends again.
        view.addSample(idOf(1), 1.0, kMiB, kLimit);
        QCOMPARE(view.seriesCount(), 2);
        QCOMPARE(view.pointCount(idOf(1)), 1);

        model.reset({runningContainer(idOf(1), "web")});
        QTRY_COMPARE(view.seriesCount(), 1);
        model.clear();
        QTRY_COMPARE(view.seriesCount(), 0);
        QTRY_COMPARE(view.totalsText(), QString("No running container is sending stats."));
        QCOMPARE(view.findChild<QChartView*>("statsOverviewCpuChart")->chart()->series().size(), 0);
    }

    void overviewIsCapped()
    {
        constexpr int kCap = EngineService::kMaxStatsStreams;
        ContainerModel model;
        QList<engine::Container> containers;
        for (int i = 0; i < kCap + 6; ++i)
            containers.push_back(runningContainer(idOf(i), QString("c%1").arg(i)));
        model.reset(containers);
        StatsOverview view(&model);
        for (int i = 0; i < kCap + 6; ++i)
            view.addSample(idOf(i), 1.0, kMiB, kLimit);
        QCOMPARE(view.seriesCount(), kCap);
        QCOMPARE(view.pointCount(idOf(kCap)), 0);

        // A place freed by a container that went is taken by the next to send.
        model.remove(idOf(0));
        QTRY_COMPARE(view.seriesCount(), kCap - 1);
        view.addSample(idOf(kCap), 1.0, kMiB, kLimit);
        QCOMPARE(view.seriesCount(), kCap);
        QCOMPARE(view.pointCount(idOf(kCap)), 1);
        QCOMPARE(view.findChild<QChartView*>("statsOverviewCpuChart")->chart()->series().size(), kCap);
    }
};

QTEST_MAIN(TestStatsView)
#include "tst_statsview.moc"
