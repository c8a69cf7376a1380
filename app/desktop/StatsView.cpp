#include "StatsView.h"

#include "ContainerModel.h"
#include "EngineService.h"
#include "Format.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPainter>
#include <QPen>
#include <QStringList>
#include <QValueAxis>
#include <QVBoxLayout>

namespace berth::app {

namespace {

constexpr double kKiB = 1024.0;
constexpr int kRefreshMs = 100;
constexpr int kStaleCheckMs = 5000;
const QString kSeparator = QStringLiteral("  \u00b7  ");

// Tokens of EngineService::followStats, unique across views.
std::atomic<int> nextToken{1};

// The sample's time in ms since the epoch. Qt reads at most milliseconds; the engine writes
// nanoseconds, so the extra digits go first. The current time when the text does not parse.
qint64 sampleTime(const std::string& read)
{
    auto text = QString::fromStdString(read);
    if (const auto dot = text.indexOf(u'.'); dot >= 0) {
        auto end = dot + 1;
        while (end < text.size() && text.at(end).isDigit())
            ++end;
        if (end - dot - 1 > 3)
            text.remove(dot + 4, end - dot - 4);
    }
    const auto time = QDateTime::fromString(text, Qt::ISODateWithMs);
    return time.isValid() ? time.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
}

// "0", "1.5", "512": at most two decimals, none trailing.
QString shortNumber(double value)
{
    auto text = QString::number(value, 'f', 2);
    while (text.endsWith(u'0'))
        text.chop(1);
    if (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

QString byteLabel(double bytes, const QString& suffix)
{
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= kKiB && unit < 4) {
        bytes /= kKiB;
        ++unit;
    }
    return shortNumber(bytes) + u' ' + QLatin1String(units[unit]) + suffix;
}

QString rateText(double bytesPerSecond)
{
    return bytesPerSecond < 0 ? QStringLiteral("\u2013") : bytesText(quint64(std::llround(bytesPerSecond))) + "/s";
}

// A power of two of a binary unit (512 MiB, 1 GiB), so that about four steps reach `max`.
double byteStep(double max)
{
    const double raw = max / 4;
    double unit = 1;
    while (unit * kKiB <= raw)
        unit *= kKiB;
    double step = unit;
    while (step < raw)
        step *= 2;
    return step;
}

// 0 up to a round value at or above max(max, floor), labelled in binary units. A category axis
// because a value axis can only print its numbers, not turn bytes into MiB.
void setByteAxis(QCategoryAxis* axis, double max, double floor, const QString& suffix)
{
    max = std::max(max, floor);
    const double step = byteStep(max);
    const double top = std::ceil(max / step) * step;
    if (axis->count() > 0 && axis->max() == top)
        return;
    for (const auto& label : axis->categoriesLabels())
        axis->remove(label);
    for (int i = 0; i * step <= top * 1.0001; ++i)
        axis->append(byteLabel(i * step, suffix), i * step);
    axis->setRange(0, top);
}

QCategoryAxis* makeByteAxis()
{
    auto* axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setStartValue(0);
    return axis;
}

// 0–100 %, or whole hundreds above: a busy container on several CPUs goes past 100.
void setPercentAxis(QValueAxis* axis, double max)
{
    const double top = std::max(100.0, std::ceil(max / 100.0) * 100.0);
    if (axis->max() != top)
        axis->setRange(0, top);
}

QValueAxis* makePercentAxis()
{
    auto* axis = new QValueAxis;
    axis->setRange(0, 100);
    axis->setTickCount(5);
    axis->setLabelFormat(QStringLiteral("%.0f %%"));
    return axis;
}

QDateTimeAxis* makeTimeAxis(qint64 end, qint64 window)
{
    auto* axis = new QDateTimeAxis;
    axis->setFormat(QStringLiteral("HH:mm"));
    axis->setTickCount(6);
    axis->setRange(QDateTime::fromMSecsSinceEpoch(end - window), QDateTime::fromMSecsSinceEpoch(end));
    return axis;
}

double maxY(const QLineSeries* series)
{
    double max = 0;
    for (int i = 0, n = series->count(); i < n; ++i)
        max = std::max(max, series->at(i).y());
    return max;
}

// Removes the points before `cutoff` from the front; x grows along a series.
void trimSeries(QLineSeries* series, qint64 cutoff)
{
    int n = 0;
    const int count = series->count();
    while (n < count && series->at(n).x() < cutoff)
        ++n;
    if (n > 0)
        series->removePoints(0, n);
}

QChart* makeChart(const QString& title)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

QChartView* makeChartView(QChart* chart, const char* objectName, QWidget* parent)
{
    auto* view = new QChartView(chart, parent);
    view->setObjectName(QString::fromLatin1(objectName));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 200);
    return view;
}

} // namespace

// ContainerStatsView

ContainerStatsView::ContainerStatsView(EngineService* engine, const QString& id, const QString& name,
                                       QWidget* parent)
    : QWidget(parent), m_engine(engine), m_id(id), m_token(nextToken++)
{
    setObjectName("containerStatsView");
    setWindowTitle(tr("%1 \u2014 Stats").arg(name.isEmpty() ? id.left(12) : name));

    m_current = new QLabel(this);
    m_current->setObjectName("statsCurrent");
    m_current->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* cpu = addChart(tr("CPU"), "statsCpuChart");
    auto* memory = addChart(tr("Memory"), "statsMemoryChart");
    auto* network = addChart(tr("Network"), "statsNetworkChart");
    auto* disk = addChart(tr("Disk"), "statsDiskChart");

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QChartView* views[] = {cpu, memory, network, disk};
    m_cpuAxis = makePercentAxis();
    m_memoryAxis = makeByteAxis();
    m_networkAxis = makeByteAxis();
    m_diskAxis = makeByteAxis();
    QAbstractAxis* yAxes[] = {m_cpuAxis, m_memoryAxis, m_networkAxis, m_diskAxis};
    for (int i = 0; i < 4; ++i) {
        m_timeAxes[i] = makeTimeAxis(now, kWindowMs);
        views[i]->chart()->addAxis(m_timeAxes[i], Qt::AlignBottom);
        views[i]->chart()->addAxis(yAxes[i], Qt::AlignLeft);
    }
    setByteAxis(m_memoryAxis, 0, kKiB * kKiB, {});
    setByteAxis(m_networkAxis, 0, kKiB, "/s");
    setByteAxis(m_diskAxis, 0, kKiB, "/s");

    m_series[Cpu] = addSeries(cpu->chart(), tr("CPU"), "statsCpuSeries");
    cpu->chart()->legend()->hide();
    m_series[Memory] = addSeries(memory->chart(), tr("Used"), "statsMemorySeries");
    m_limit = addSeries(memory->chart(), tr("Limit"), "statsLimitSeries");
    auto pen = m_limit->pen();
    pen.setStyle(Qt::DashLine);
    m_limit->setPen(pen);
    m_series[NetworkRx] = addSeries(network->chart(), tr("Received"), "statsNetworkRxSeries");
    m_series[NetworkTx] = addSeries(network->chart(), tr("Sent"), "statsNetworkTxSeries");
    m_series[BlockRead] = addSeries(disk->chart(), tr("Read"), "statsBlockReadSeries");
    m_series[BlockWrite] = addSeries(disk->chart(), tr("Written"), "statsBlockWriteSeries");

    auto* grid = new QGridLayout;
    grid->addWidget(cpu, 0, 0);
    grid->addWidget(memory, 0, 1);
    grid->addWidget(network, 1, 0);
    grid->addWidget(disk, 1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_current);
    layout->addLayout(grid, 1);
    resize(960, 640);

    updateText();
    if (m_engine) {
        connect(m_engine, &EngineService::statsSample, this,
                [this](int token, const engine::Stats& sample) {
                    if (token == m_token && m_streaming)
                        addSample(sample);
                });
        connect(m_engine, &EngineService::statsEnded, this, [this](int token, const QString& reason) {
            if (token != m_token || !m_streaming)
                return;
            m_streaming = false;
            m_endReason = reason;
            updateText();
        });
        m_engine->followStats(m_token, m_id);
    } else {
        m_streaming = false;
        m_endReason = tr("The engine is not running.");
        updateText();
    }
}

ContainerStatsView::~ContainerStatsView()
{
    if (m_engine)
        m_engine->stopStats(m_token);
}

int ContainerStatsView::pointCount(Metric metric) const
{
    return metric >= 0 && metric < MetricCount ? m_series[metric]->count() : 0;
}

QString ContainerStatsView::currentText() const
{
    return m_current->text();
}

QChartView* ContainerStatsView::addChart(const QString& title, const char* objectName)
{
    return makeChartView(makeChart(title), objectName, this);
}

QLineSeries* ContainerStatsView::addSeries(QChart* chart, const QString& name, const char* objectName)
{
    auto* series = new QLineSeries;
    series->setName(name);
    series->setObjectName(QString::fromLatin1(objectName));
    chart->addSeries(series);
    for (auto* axis : chart->axes())
        series->attachAxis(axis);
    return series;
}

void ContainerStatsView::addSample(const engine::Stats& sample)
{
    const qint64 time = sampleTime(sample.read);
    if (m_hasPrevious && time <= m_previous.time)
        return;
    m_onlineCpus = sample.onlineCpus;
    m_series[Cpu]->append(time, sample.cpuPercent);
    m_series[Memory]->append(time, double(sample.memoryUsage));
    m_limit->append(time, double(sample.memoryLimit));

    // A counter that went down (the engine started over) gives no rate, as the first sample.
    const Counters counters{time, sample.networkRx, sample.networkTx, sample.blockRead, sample.blockWrite};
    auto rate = [&](quint64 now, quint64 before) {
        return m_hasPrevious && now >= before ? double(now - before) * 1000.0 / double(time - m_previous.time)
                                              : -1.0;
    };
    const double rx = rate(counters.rx, m_previous.rx);
    const double tx = rate(counters.tx, m_previous.tx);
    const double read = rate(counters.read, m_previous.read);
    const double written = rate(counters.written, m_previous.written);
    const std::pair<Metric, double> rates[] = {
        {NetworkRx, rx}, {NetworkTx, tx}, {BlockRead, read}, {BlockWrite, written}};
    for (const auto& [metric, value] : rates)
        if (value >= 0)
            m_series[metric]->append(time, value);
    m_previous = counters;
    m_hasPrevious = true;

    trim(time - kWindowMs);
    updateAxes(time);

    m_figures =
        QStringList{
            tr("CPU %1 %").arg(QString::number(sample.cpuPercent, 'f', 1)),
            tr("Memory %1 of %2 usable").arg(bytesText(sample.memoryUsage), bytesText(sample.memoryLimit)),
            tr("Net \u2193%1 \u2191%2").arg(rateText(rx), rateText(tx)),
            tr("Disk r %1 w %2").arg(rateText(read), rateText(written)),
        }
            .join(kSeparator);
    updateText();
}

void ContainerStatsView::trim(qint64 cutoff)
{
    for (auto* series : m_series)
        trimSeries(series, cutoff);
    trimSeries(m_limit, cutoff);
}

void ContainerStatsView::updateAxes(qint64 end)
{
    const auto from = QDateTime::fromMSecsSinceEpoch(end - kWindowMs);
    const auto to = QDateTime::fromMSecsSinceEpoch(end);
    for (auto* axis : m_timeAxes)
        axis->setRange(from, to);
    setPercentAxis(m_cpuAxis, maxY(m_series[Cpu]));
    // Scaled to what the container uses, not to the VM's whole memory, which drew a small
    // container as a flat line; the limit's line shows once the use comes within half of it.
    const auto used = maxY(m_series[Memory]);
    const auto limit = maxY(m_limit);
    const bool nearLimit = limit > 0 && used * 2 >= limit;
    m_limit->setVisible(nearLimit);
    setByteAxis(m_memoryAxis, nearLimit ? std::max(used, limit) : used * 1.25, kKiB * kKiB, {});
    setByteAxis(m_networkAxis, std::max(maxY(m_series[NetworkRx]), maxY(m_series[NetworkTx])), kKiB, "/s");
    setByteAxis(m_diskAxis, std::max(maxY(m_series[BlockRead]), maxY(m_series[BlockWrite])), kKiB, "/s");
}

void ContainerStatsView::updateText()
{
    QString text = m_figures;
    if (!m_streaming)
        text = text.isEmpty() ? m_endReason : text + kSeparator + m_endReason;
    else if (text.isEmpty())
        text = tr("Waiting for the first sample\u2026");
    m_current->setText(text);
}

// StatsOverview

StatsOverview::StatsOverview(ContainerModel* model, QWidget* parent)
    : QWidget(parent), m_model(model), m_slotsUsed(EngineService::kMaxStatsStreams, false)
{
    setObjectName("statsOverview");

    m_totals = new QLabel(this);
    m_totals->setObjectName("statsTotals");
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);

    const qint64 end = now();
    m_cpuChart = makeChart(tr("CPU"));
    m_cpuTime = makeTimeAxis(end, kWindowMs);
    m_cpuAxis = makePercentAxis();
    m_cpuChart->addAxis(m_cpuTime, Qt::AlignBottom);
    m_cpuChart->addAxis(m_cpuAxis, Qt::AlignLeft);
    m_memoryChart = makeChart(tr("Memory"));
    m_memoryTime = makeTimeAxis(end, kWindowMs);
    m_memoryAxis = makeByteAxis();
    m_memoryChart->addAxis(m_memoryTime, Qt::AlignBottom);
    m_memoryChart->addAxis(m_memoryAxis, Qt::AlignLeft);
    setByteAxis(m_memoryAxis, 0, kKiB * kKiB, {});

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_totals);
    layout->addWidget(makeChartView(m_cpuChart, "statsOverviewCpuChart", this), 1);
    layout->addWidget(makeChartView(m_memoryChart, "statsOverviewMemoryChart", this), 1);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &StatsOverview::refresh);
    // Without samples nothing else would notice that every container went quiet.
    m_staleTimer.setInterval(kStaleCheckMs);
    connect(&m_staleTimer, &QTimer::timeout, this, [this] {
        if (!m_entries.isEmpty())
            refresh();
    });
    m_staleTimer.start();

    if (m_model) {
        // The model changes its rows before these signals; a container moved to another project
        // is removed and inserted at once, so the check waits for the refresh.
        auto later = [this] { m_refreshTimer.start(); };
        connect(m_model, &QAbstractItemModel::rowsRemoved, this, later);
        connect(m_model, &QAbstractItemModel::modelReset, this, later);
    }
    refresh();
}

StatsOverview::~StatsOverview() = default;

void StatsOverview::setClock(std::function<qint64()> now)
{
    m_clock = std::move(now);
}

qint64 StatsOverview::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

int StatsOverview::pointCount(const QString& id) const
{
    const auto it = m_entries.constFind(id);
    return it == m_entries.cend() ? 0 : it->cpu->count();
}

QString StatsOverview::totalsText() const
{
    return m_totals->text();
}

QString StatsOverview::nameOf(const QString& id) const
{
    const auto& containers = m_model->containers();
    const auto it = containers.constFind(id);
    return it == containers.cend() || it->name.empty() ? id.left(12) : QString::fromStdString(it->name);
}

void StatsOverview::addSample(const QString& id, double cpuPercent, quint64 memoryUsage, quint64 memoryLimit)
{
    // A sample can trail its container's removal from the model; it would leave a stray line.
    if (!m_model || !m_model->containers().contains(id))
        return;
    auto it = m_entries.find(id);
    if (it == m_entries.end()) {
        const auto free = std::find(m_slotsUsed.begin(), m_slotsUsed.end(), false);
        if (free == m_slotsUsed.end())
            return; // the engine streams no more than this; a stray extra is not drawn
        Entry entry;
        entry.slot = static_cast<int>(free - m_slotsUsed.begin());
        *free = true;
        // Hues a golden angle apart, so that neighbouring slots differ.
        const auto colour = QColor::fromHsv((entry.slot * 137) % 360, 200, 210);
        const auto name = nameOf(id);
        entry.cpu = new QLineSeries;
        entry.memory = new QLineSeries;
        for (auto [series, chart] : {std::pair{entry.cpu, m_cpuChart}, std::pair{entry.memory, m_memoryChart}}) {
            series->setName(name);
            series->setPen(QPen(colour, 2));
            chart->addSeries(series);
            for (auto* axis : chart->axes())
                series->attachAxis(axis);
        }
        it = m_entries.insert(id, entry);
    }
    const qint64 time = now();
    it->lastSeen = time;
    it->cpuPercent = cpuPercent;
    it->memoryUsage = memoryUsage;
    it->memoryLimit = memoryLimit;
    it->cpu->append(time, cpuPercent);
    it->memory->append(time, double(memoryUsage));
    trimSeries(it->cpu, time - kWindowMs);
    trimSeries(it->memory, time - kWindowMs);
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void StatsOverview::drop(const QString& id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    m_cpuChart->removeSeries(it->cpu);
    m_memoryChart->removeSeries(it->memory);
    delete it->cpu;
    delete it->memory;
    m_slotsUsed[it->slot] = false;
    m_entries.erase(it);
}

void StatsOverview::dropStale()
{
    const qint64 cutoff = now() - kStaleMs;
    QStringList stale;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        if (it->lastSeen < cutoff)
            stale.push_back(it.key());
    for (const auto& id : stale)
        drop(id);
}

void StatsOverview::dropRemoved()
{
    QStringList gone;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        if (!m_model || !m_model->containers().contains(it.key()))
            gone.push_back(it.key());
    for (const auto& id : gone)
        drop(id);
}

void StatsOverview::refresh()
{
    dropRemoved();
    dropStale();
    const qint64 end = now();
    const auto from = QDateTime::fromMSecsSinceEpoch(end - kWindowMs);
    const auto to = QDateTime::fromMSecsSinceEpoch(end);
    m_cpuTime->setRange(from, to);
    m_memoryTime->setRange(from, to);

    double cpuMax = 0;
    double memoryMax = 0;
    double cpuTotal = 0;
    quint64 memoryTotal = 0;
    quint64 vmMemory = 0; // a container without a limit reports the VM's memory as its limit
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        cpuMax = std::max(cpuMax, maxY(it->cpu));
        memoryMax = std::max(memoryMax, maxY(it->memory));
        cpuTotal += it->cpuPercent;
        memoryTotal += it->memoryUsage;
        vmMemory = std::max(vmMemory, it->memoryLimit);
        if (const auto name = nameOf(it.key()); it->cpu->name() != name) {
            it->cpu->setName(name);
            it->memory->setName(name);
        }
    }
    setPercentAxis(m_cpuAxis, cpuMax);
    setByteAxis(m_memoryAxis, memoryMax, kKiB * kKiB, {});

    if (m_entries.isEmpty()) {
        m_totals->setText(tr("No running container is sending stats."));
        return;
    }
    m_totals->setText(QStringList{
        countText(m_entries.size(), tr("container"), tr("containers")),
        tr("CPU %1 %").arg(QString::number(cpuTotal, 'f', 1)),
        tr("Memory %1 of %2 usable").arg(bytesText(memoryTotal), bytesText(vmMemory)),
    }
                          .join(kSeparator));
}

} // namespace berth::app
