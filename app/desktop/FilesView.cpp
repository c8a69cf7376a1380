#include "FilesView.h"

#include "Format.h"
#include "Theme.h"

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QStandardPaths>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace berth::app {

namespace {

constexpr int kNameRole = Qt::UserRole + 1;
constexpr int kTypeRole = Qt::UserRole + 2;
constexpr int kLinkRole = Qt::UserRole + 3;

// "drwxr-xr-x", as `ls -l` shows it.
QString modeText(const FileItem& item)
{
    QString text;
    using Type = engine::TarEntry::Type;
    text += item.type == Type::Directory ? 'd' : item.type == Type::Symlink ? 'l' : '-';
    const char* letters = "rwxrwxrwx";
    for (int bit = 0; bit < 9; ++bit)
        text += (item.mode & (0400u >> bit)) != 0 ? QChar(letters[bit]) : QChar('-');
    return text;
}

// Where a link in `folder` points, as an absolute path.
QString linkPath(const QString& folder, const QString& target)
{
    const auto joined = target.startsWith('/') ? target : childPath(folder, target);
    return normalFolder(QDir::cleanPath(joined));
}

void cancel(CancelFlag& flag)
{
    if (flag)
        *flag = true;
    flag.reset();
}

} // namespace

FilesView::FilesView(EngineService* engine, const QString& containerId, const QString& name, QWidget* parent)
    : QWidget(parent), m_engine(engine), m_id(containerId), m_folder("/")
{
    setObjectName("filesView");
    setWindowTitle(tr("Files — %1").arg(name));
    m_up = new QToolButton(this);
    m_up->setObjectName("filesUp");
    m_up->setIcon(style()->standardIcon(QStyle::SP_FileDialogToParent));
    m_up->setToolTip(tr("Up to the enclosing folder"));
    m_path = new QLineEdit(this);
    m_path->setObjectName("filesPath");
    m_path->setPlaceholderText(tr("A folder in the container, e.g. /etc"));
    m_refresh = new QToolButton(this);
    m_refresh->setObjectName("filesRefresh");
    m_refresh->setIcon(themedIcon("restart"));
    m_refresh->setToolTip(tr("Read the folder again"));
    m_download = new QToolButton(this);
    m_download->setObjectName("filesDownload");
    m_download->setIcon(themedIcon("pull"));
    m_download->setText(tr("Download…"));
    m_download->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_download->setToolTip(tr("Save the selected file to this computer (a folder as a .tar archive)"));
    m_download->setEnabled(false);

    m_list = new QTreeWidget(this);
    m_list->setObjectName("filesList");
    m_list->setColumnCount(ColumnCount);
    m_list->setHeaderLabels({tr("Name"), tr("Size"), tr("Modified"), tr("Mode"), tr("Link to")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSortingEnabled(false);
    m_list->header()->setSectionResizeMode(Name, QHeaderView::Stretch);
    for (int column = Size; column < ColumnCount; ++column)
        m_list->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_state = new QLabel(this);
    m_state->setObjectName("filesState");
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_up);
    bar->addWidget(m_path, 1);
    bar->addWidget(m_refresh);
    bar->addWidget(m_download);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_state);

    connect(m_up, &QToolButton::clicked, this, [this] { openFolder(parentFolder(m_folder)); });
    connect(m_refresh, &QToolButton::clicked, this, &FilesView::refresh);
    connect(m_path, &QLineEdit::returnPressed, this, [this] { openFolder(m_path->text()); });
    connect(m_download, &QToolButton::clicked, this, &FilesView::downloadSelected);
    connect(m_list, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) { activate(item); });
    connect(m_list, &QTreeWidget::itemSelectionChanged, this,
            [this] { m_download->setEnabled(!m_list->selectedItems().isEmpty()); });
    auto* back = new QShortcut(QKeySequence(Qt::Key_Backspace), m_list, nullptr, nullptr, Qt::WidgetShortcut);
    connect(back, &QShortcut::activated, m_up, &QToolButton::click);
}

FilesView::~FilesView()
{
    cancel(m_reading);
    cancel(m_downloading);
}

void FilesView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_opened) {
        m_opened = true;
        openFolder(m_folder);
    }
}

QString FilesView::stateText() const
{
    return m_state->text();
}

void FilesView::setState(const QString& text, bool error)
{
    m_state->setText(text);
    m_state->setStyleSheet(error ? QStringLiteral("color: %1;").arg(dangerColour().name()) : QString());
}

void FilesView::openFolder(const QString& path)
{
    m_opened = true;
    const auto folder = normalFolder(path);
    cancel(m_reading);
    if (const auto known = m_cache.constFind(folder); known != m_cache.cend()) {
        show(folder, *known, false);
        return;
    }
    m_path->setText(folder);
    m_list->setEnabled(false);
    setState(tr("Reading %1 from the container…").arg(folder));
    m_reading = std::make_shared<std::atomic<bool>>(false);
    listContainerFolder(*m_engine, this, m_id, folder, m_reading,
                        [this, folder, flag = m_reading](std::optional<FileListing> listing, QString error) {
                            if (flag != m_reading)
                                return; // a later read took its place
                            m_reading.reset();
                            m_list->setEnabled(true);
                            if (!listing) {
                                m_path->setText(m_folder);
                                setState(tr("Cannot open %1: %2").arg(folder, error), true);
                                emit folderShown(folder, error);
                                return;
                            }
                            for (auto it = listing->below.cbegin(); it != listing->below.cend(); ++it)
                                m_cache.insert(it.key(), it.value());
                            if (!listing->truncated)
                                m_cache.insert(folder, listing->items);
                            show(folder, listing->items, listing->truncated);
                        });
}

void FilesView::refresh()
{
    m_cache.clear();
    openFolder(m_folder);
}

void FilesView::show(const QString& folder, const QList<FileItem>& items, bool truncated)
{
    m_folder = folder;
    m_path->setText(folder);
    m_up->setEnabled(folder != "/");
    m_list->clear();
    QList<QTreeWidgetItem*> rows;
    const auto folderIcon = style()->standardIcon(QStyle::SP_DirIcon);
    const auto fileIcon = style()->standardIcon(QStyle::SP_FileIcon);
    const auto linkIcon = style()->standardIcon(QStyle::SP_FileLinkIcon);
    for (const auto& item : items) {
        auto* row = new QTreeWidgetItem;
        row->setText(Name, item.name);
        row->setData(Name, kNameRole, item.name);
        row->setData(Name, kTypeRole, static_cast<int>(item.type));
        row->setData(Name, kLinkRole, item.linkTarget);
        row->setIcon(Name, item.isFolder()                                ? folderIcon
                           : item.type == engine::TarEntry::Type::Symlink ? linkIcon
                                                                          : fileIcon);
        if (item.type == engine::TarEntry::Type::File)
            row->setText(Size, bytesText(item.size));
        row->setTextAlignment(Size, Qt::AlignRight | Qt::AlignVCenter);
        row->setText(Modified, agoText(item.modified.toSecsSinceEpoch()));
        row->setToolTip(Modified, timeText(item.modified.toSecsSinceEpoch()));
        row->setText(Mode, modeText(item));
        row->setText(Link, item.linkTarget);
        rows << row;
    }
    m_list->addTopLevelItems(rows);
    m_download->setEnabled(false);
    const auto count = countText(items.size(), tr("item"), tr("items"));
    if (truncated)
        setState(tr("%1 — the folder holds more than %2 files in all; the list stopped there and may "
                    "lack some names. Open a folder further down to see all of it.")
                     .arg(count)
                     .arg(kMaxListedFiles),
                 true);
    else
        setState(count);
    emit folderShown(folder, {});
}

void FilesView::activate(QTreeWidgetItem* item)
{
    const auto type = static_cast<engine::TarEntry::Type>(item->data(Name, kTypeRole).toInt());
    const auto name = item->data(Name, kNameRole).toString();
    if (type == engine::TarEntry::Type::Directory)
        openFolder(childPath(m_folder, name));
    else if (type == engine::TarEntry::Type::Symlink)
        openFolder(linkPath(m_folder, item->data(Name, kLinkRole).toString()));
    else
        downloadSelected();
}

void FilesView::downloadSelected()
{
    const auto selected = m_list->selectedItems();
    if (selected.isEmpty())
        return;
    const auto name = selected.first()->data(Name, kNameRole).toString();
    const auto type = static_cast<engine::TarEntry::Type>(selected.first()->data(Name, kTypeRole).toInt());
    auto suggested = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    if (suggested.isEmpty())
        suggested = QDir::homePath();
    suggested = QDir(suggested).filePath(type == engine::TarEntry::Type::Directory ? name + ".tar" : name);
    const auto target = QFileDialog::getSaveFileName(this, tr("Save %1").arg(name), suggested);
    if (!target.isEmpty())
        download(name, target);
}

void FilesView::download(const QString& name, const QString& localPath)
{
    auto source = childPath(m_folder, name);
    for (const auto* row : m_list->findItems(name, Qt::MatchExactly, Name))
        if (static_cast<engine::TarEntry::Type>(row->data(Name, kTypeRole).toInt()) ==
            engine::TarEntry::Type::Symlink)
            source = linkPath(m_folder, row->data(Name, kLinkRole).toString()); // what the link names
    cancel(m_downloading);
    m_downloading = std::make_shared<std::atomic<bool>>(false);
    setState(tr("Saving %1 to %2…").arg(source, QDir::toNativeSeparators(localPath)));
    downloadFromContainer(*m_engine, this, m_id, source, localPath, m_downloading,
                          [this, source, localPath, flag = m_downloading](QString error) {
                              if (flag == m_downloading)
                                  m_downloading.reset();
                              if (error.isEmpty())
                                  setState(
                                      tr("Saved %1 to %2.").arg(source, QDir::toNativeSeparators(localPath)));
                              else
                                  setState(tr("Could not save %1: %2").arg(source, error), true);
                              emit downloadFinished(localPath, error);
                          });
}

} // namespace berth::app
