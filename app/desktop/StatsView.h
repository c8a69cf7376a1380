#pragma once

#include <functional>

#include <QHash>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QVector>
#include <QWidget>

class QCategoryAxis;
class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace berth::engine {
struct Stats;
}

namespace berth::app {

class ContainerModel;
class EngineService;

// One container's stats over the last five minutes: CPU, memory against its limit, network and
// block I/O rates, and a line with the latest figures. The stream opens with the view and stops
// when it is destroyed; when the engine ends it, the graphs stay and the line says why.
class ContainerStatsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContainerStatsView)

public:
    enum Metric
    {
        Cpu,
        Memory,
        NetworkRx,
        NetworkTx,
        BlockRead,
        BlockWrite,
        MetricCount
    };
    // Points older than this, counted back from the latest sample, leave the graphs.
    static constexpr qint64 kWindowMs = 5 * 60 * 1000;

    ContainerStatsView(EngineService* engine, const QString& id, const QString& name,
                       QWidget* parent = nullptr);
    ~ContainerStatsView() override;

    QString containerId() const { return m_id; }
    int pointCount(Metric metric) const;
    QString currentText() const;
    // False once the engine ended the stream.
    bool streaming() const { return m_streaming; }

    // One sample of the stream. Rates come from the counters' change since the previous sample,
    // over the samples' own times; a sample not later than the previous one is ignored.
    void addSample(const engine::Stats& sample);

private:
    struct Counters
    {
        qint64 time = 0; // ms since the epoch
        quint64 rx = 0;
        quint64 tx = 0;
        quint64 read = 0;
        quint64 written = 0;
    };

    QChartView* addChart(const QString& title, const char* objectName);
    QLineSeries* addSeries(QChart* chart, const QString& name, const char* objectName);
    void trim(qint64 cutoff);
    void updateAxes(qint64 end);
    void updateText();

    QPointer<EngineService> m_engine;
    QString m_id;
    int m_token = 0;
    bool m_streaming = true;
    QString m_endReason;

    QLabel* m_current = nullptr;
    QDateTimeAxis* m_timeAxes[4] = {};
    QValueAxis* m_cpuAxis = nullptr;
    QCategoryAxis* m_memoryAxis = nullptr;
    QCategoryAxis* m_networkAxis = nullptr;
    QCategoryAxis* m_diskAxis = nullptr;
    QLineSeries* m_series[MetricCount] = {};
    QLineSeries* m_limit = nullptr;

    bool m_hasPrevious = false;
    Counters m_previous;
    QString m_figures; // the latest sample's, empty before the first
    quint32 m_onlineCpus = 0;
};

// CPU and memory of every running container over the last five minutes, one line per container,
// with the total memory in use against the VM's. Fed by EngineService::containerStats; names
// come from the container model. A container's lines go when it sends nothing for
// kStaleMs or leaves the model; containers the model does not know are not drawn.
class StatsOverview final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatsOverview)

public:
    static constexpr qint64 kWindowMs = 5 * 60 * 1000;
    static constexpr qint64 kStaleMs = 30 * 1000;

    explicit StatsOverview(ContainerModel* model, QWidget* parent = nullptr);
    ~StatsOverview() override;

    int seriesCount() const { return static_cast<int>(m_entries.size()); }
    int pointCount(const QString& id) const;
    QString totalsText() const;

    // Test seam: the clock, in ms since the epoch, that stamps samples and ages containers.
    void setClock(std::function<qint64()> now);

public slots:
    void addSample(const QString& id, double cpuPercent, quint64 memoryUsage, quint64 memoryLimit);

private:
    struct Entry
    {
        QLineSeries* cpu = nullptr;
        QLineSeries* memory = nullptr;
        qint64 lastSeen = 0;
        quint64 memoryUsage = 0;
        quint64 memoryLimit = 0;
        double cpuPercent = 0;
        int slot = 0; // the colour's index, free again when the entry goes
    };

    qint64 now() const;
    QString nameOf(const QString& id) const;
    void drop(const QString& id);
    void dropStale();
    void dropRemoved();
    void refresh();

    QPointer<ContainerModel> m_model;
    std::function<qint64()> m_clock;
    QHash<QString, Entry> m_entries;
    QVector<bool> m_slotsUsed;

    QLabel* m_totals = nullptr;
    QChart* m_cpuChart = nullptr;
    QChart* m_memoryChart = nullptr;
    QDateTimeAxis* m_cpuTime = nullptr;
    QDateTimeAxis* m_memoryTime = nullptr;
    QValueAxis* m_cpuAxis = nullptr;
    QCategoryAxis* m_memoryAxis = nullptr;
    QTimer m_refreshTimer; // coalesces the axes and totals of a burst of samples
    QTimer m_staleTimer;
};

} // namespace berth::app
