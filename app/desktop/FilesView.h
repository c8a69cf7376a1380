#pragma once

#include "ContainerFiles.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QLineEdit;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace berth::app {

class EngineService;

// A container's files: one folder at a time, read through the archive API (ContainerFiles),
// with a path field, Up, Refresh and Download. A folder read once is kept, with every folder
// under it, until Refresh.
class FilesView final : public QWidget
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Size,
        Modified,
        Mode,
        Link,
        ColumnCount
    };

    FilesView(EngineService* engine, const QString& containerId, const QString& name,
              QWidget* parent = nullptr);
    ~FilesView() override;

    QString folder() const { return m_folder; }
    QTreeWidget* list() const { return m_list; }
    QString stateText() const;

public slots:
    // Shows `path`, from what was read before or by reading it now.
    void openFolder(const QString& path);
    // Forgets what was read and reads the shown folder again.
    void refresh();
    // Saves the entry `name` of the shown folder to `localPath` (a folder as a .tar).
    void download(const QString& name, const QString& localPath);

signals:
    // A folder's contents are shown (or its error is).
    void folderShown(const QString& folder, const QString& error);
    void downloadFinished(const QString& localPath, const QString& error);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void show(const QString& folder, const QList<FileItem>& items, bool truncated);
    void activate(QTreeWidgetItem* item);
    void downloadSelected();
    void setState(const QString& text, bool error = false);

    EngineService* m_engine;
    QString m_id;
    QString m_folder;
    QHash<QString, QList<FileItem>> m_cache;
    CancelFlag m_reading;
    CancelFlag m_downloading;
    bool m_opened = false;
    QLineEdit* m_path;
    QToolButton* m_up;
    QToolButton* m_refresh;
    QToolButton* m_download;
    QTreeWidget* m_list;
    QLabel* m_state;
};

} // namespace berth::app
