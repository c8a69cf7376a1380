#include "PullDialog.h"

#include "Format.h"

#include <algorithm>

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace berth::app {

namespace {

constexpr int kBarSteps = 1000; // a bar's range; bytes would overflow int for large layers

// Decimal units, as the engine's own progress text ("[==>  ] 12.3MB/40.1MB") counts them, so
// that the figures match what `docker pull` prints for the same layer.
QString siBytes(std::int64_t bytes)
{
    static const char* const units[] = {"B", "kB", "MB", "GB", "TB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1000 && unit < 4) {
        value /= 1000;
        ++unit;
    }
    if (unit == 0)
        return QStringLiteral("%1 B").arg(bytes);
    return QStringLiteral("%1 %2").arg(QLocale().toString(value, 'f', 1), QString::fromLatin1(units[unit]));
}

bool isValidReference(const QString& reference)
{
    static const QRegularExpression blank("\\s");
    return !reference.isEmpty() && !reference.contains(blank);
}

// Statuses after which a layer's current phase is done (pull, then push wording).
bool isLayerDone(const std::string& status)
{
    return status == "Pull complete" || status == "Already exists" || status == "Download complete" ||
           status == "Pushed" || status == "Layer already exists";
}

} // namespace

PullDialog::PullDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Pull an image"));

    m_reference = new QLineEdit(this);
    m_reference->setObjectName("pullReference");
    m_reference->setPlaceholderText("registry.example:5000/repo:tag");
    auto* referenceLabel = new QLabel(tr("&Image"), this);
    referenceLabel->setBuddy(m_reference);

    m_pull = new QPushButton(tr("Pull"), this);
    m_pull->setObjectName("pullButton");
    m_pull->setDefault(true);

    m_layers = new QTreeWidget(this);
    m_layers->setObjectName("pullLayers");
    m_layers->setColumnCount(ColumnCount);
    m_layers->setHeaderLabels({tr("Layer"), tr("Status"), tr("Progress"), tr("Size")});
    m_layers->setRootIsDecorated(false);
    m_layers->setUniformRowHeights(true);
    m_layers->setSelectionMode(QAbstractItemView::NoSelection);
    m_layers->setFocusPolicy(Qt::NoFocus);
    auto* header = m_layers->header();
    header->setStretchLastSection(false);
    // Fixed widths for the columns whose text changes with every line, so rows do not jitter.
    header->setSectionResizeMode(LayerColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(StatusColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(ProgressColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(BytesColumn, QHeaderView::Interactive);
    const auto metrics = m_layers->fontMetrics();
    m_layers->setColumnWidth(StatusColumn, metrics.horizontalAdvance("Verifying Checksum") + 16);
    m_layers->setColumnWidth(BytesColumn, metrics.horizontalAdvance("888.8 MB / 888.8 MB") + 16);

    m_status = new QLabel(this);
    m_status->setObjectName("pullStatus");
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // the daemon's messages are not markup
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(this);
    m_cancel = m_buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    m_cancel->setObjectName("pullCancel");
    m_cancel->setAutoDefault(false);

    auto* referenceRow = new QHBoxLayout;
    referenceRow->addWidget(referenceLabel);
    referenceRow->addWidget(m_reference, 1);
    referenceRow->addWidget(m_pull);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(referenceRow);
    layout->addWidget(m_layers, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(640, 400);

    connect(m_reference, &QLineEdit::textChanged, this, &PullDialog::updatePullButton);
    connect(m_pull, &QPushButton::clicked, this, &PullDialog::startPull);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PullDialog::reject);
    updatePullButton();
}

void PullDialog::setReference(const QString& reference)
{
    m_reference->setText(reference);
}

QString PullDialog::reference() const
{
    return m_reference->text().trimmed();
}

void PullDialog::reject()
{
    if (!m_pulling) {
        QDialog::reject();
        return;
    }
    if (m_cancelRequested)
        return;
    m_cancelRequested = true;
    m_cancel->setEnabled(false);
    setStatus(tr("Cancelling…"), false);
    emit cancelRequested();
}

void PullDialog::startPull()
{
    const auto ref = reference();
    if (m_pulling || !isValidReference(ref))
        return;
    m_layers->clear();
    m_layerRows.clear();
    m_pulled = ref;
    m_pulling = true;
    m_cancelRequested = false;
    m_reference->setEnabled(false);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setEnabled(true);
    updatePullButton();
    setStatus(tr("Pulling %1…").arg(ref), false);
    emit pullRequested(ref);
}

void PullDialog::updatePullButton()
{
    m_pull->setEnabled(!m_pulling && isValidReference(reference()));
}

void PullDialog::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    QPalette palette; // an empty palette: inherit the dialog's colours again
    if (error)
        palette.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    m_status->setPalette(palette);
}

PullDialog::Layer& PullDialog::layer(const QString& id)
{
    auto it = m_layerRows.find(id);
    if (it != m_layerRows.end())
        return *it;
    Layer row;
    row.item = new QTreeWidgetItem(m_layers, {id});
    row.bar = new QProgressBar;
    row.bar->setRange(0, kBarSteps);
    row.bar->setValue(0);
    row.bar->setFormat("%p%");
    m_layers->setItemWidget(row.item, ProgressColumn, row.bar);
    return *m_layerRows.insert(id, row);
}

void PullDialog::progress(const berth::engine::ProgressMessage& message)
{
    if (!message.error.empty()) {
        setStatus(QString::fromStdString(message.error), true);
        return;
    }
    const auto status = QString::fromStdString(message.status);
    // "Pulling from library/alpine" carries the tag as its id: it is about the image, not a layer.
    if (message.id.empty() || status.startsWith("Pulling from")) {
        const auto text = status.isEmpty() ? QString::fromStdString(message.stream).trimmed() : status;
        if (!text.isEmpty())
            setStatus(text, false);
        return;
    }

    auto& row = layer(QString::fromStdString(message.id));
    row.item->setText(StatusColumn, status);
    if (isLayerDone(message.status)) {
        row.bar->setValue(kBarSteps);
        if (row.downloaded > 0)
            row.item->setText(BytesColumn, siBytes(row.downloaded));
    } else if (message.total > 0) {
        const auto fraction =
            std::clamp(static_cast<double>(message.current) / static_cast<double>(message.total), 0.0, 1.0);
        row.bar->setValue(static_cast<int>(fraction * kBarSteps));
        row.item->setText(BytesColumn, tr("%1 / %2").arg(siBytes(message.current), siBytes(message.total)));
        if (message.status == "Downloading")
            row.downloaded = message.total;
    } else if (message.current > 0) {
        row.item->setText(BytesColumn, siBytes(message.current)); // a size the engine does not know yet
    }
}

void PullDialog::finished(bool ok, const QString& error)
{
    const bool cancelled = m_cancelRequested;
    m_pulling = false;
    m_cancelRequested = false;
    m_reference->setEnabled(true);
    m_cancel->setText(tr("Close"));
    m_cancel->setEnabled(true);
    updatePullButton();
    if (ok)
        setStatus(tr("Pulled %1").arg(m_pulled), false);
    else if (cancelled)
        // The user asked for this: the engine's words, but not as an error.
        setStatus(error.isEmpty() ? tr("Cancelled") : error, false);
    else
        setStatus(pullErrorText(m_pulled, error), true);
}

} // namespace berth::app
