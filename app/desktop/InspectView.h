#pragma once

#include "berth/engine/Client.h"

#include <functional>

#include <QModelIndexList>
#include <QWidget>

#include <nlohmann/json.hpp>

class QLabel;
class QLineEdit;
class QTabWidget;
class QTableWidget;
class QTreeView;
class QTreeWidget;
class QVBoxLayout;

namespace berth::app {

class EngineService;
class JsonTreeModel;

// An engine object's inspect JSON as a collapsible tree with search ("2 of 17", stepping through
// matches), copy value and copy path; for containers also a Summary page: command, entrypoint,
// environment (values of secret-looking keys hidden until clicked), mounts, ports, networks,
// labels, restart policy and the health log. The JSON is asked for once when the view opens and
// again on Refresh; the request runs on the engine thread.
class InspectView final : public QWidget
{
    Q_OBJECT

public:
    enum class Kind
    {
        Container,
        Image,
        Volume,
        Network
    };

    InspectView(EngineService* engine, Kind kind, const QString& id, const QString& name,
                QWidget* parent = nullptr);

    Kind kind() const { return m_kind; }
    const QString& objectId() const { return m_id; }
    bool loaded() const { return m_loaded; }
    JsonTreeModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    QTabWidget* tabs() const { return m_tabs; }
    QTableWidget* environment() const { return m_env; }
    // An image's Layers page: one row per layer, newest first (size, age, the instruction that
    // made it), and the containers made from it.
    QTreeWidget* layers() const { return m_layers; }
    QLabel* imageUsers() const { return m_imageUsers; }
    // The search box's matches: "2 of 17", "No matches", or empty without a search.
    QString matchText() const;
    // The selected node's jq path and value, as the copy actions give them.
    QString currentPath() const;
    QString currentValue() const;

    // The summary page's data from a container's inspect JSON, as title → lines of text (env is
    // left out: it has its own table).
    static QList<QPair<QString, QStringList>> summarize(const nlohmann::json& container);

public slots:
    void refresh();
    void search(const QString& text);
    void nextMatch();
    void previousMatch();
    void copyValue();
    void copyPath();

signals:
    // The JSON arrived (ok) or could not be had (the message says why).
    void loadFinished(bool ok, const QString& message);

private:
    template <typename T>
    void load(std::function<engine::Operation(engine::Client&, engine::Callback<T>)> call);
    void setDocument(nlohmann::json document);
    void loadLayers();
    void buildSummary(const nlohmann::json& container);
    void selectMatch(int index);

    EngineService* m_engine;
    Kind m_kind;
    QString m_id;
    bool m_loaded = false;
    JsonTreeModel* m_model;
    QTabWidget* m_tabs;
    QTreeView* m_tree;
    QLineEdit* m_search;
    QLabel* m_matches;
    QLabel* m_error;
    QWidget* m_summary = nullptr;
    QTreeWidget* m_layers = nullptr;
    QLabel* m_imageUsers = nullptr;
    QVBoxLayout* m_summaryLayout = nullptr;
    QTableWidget* m_env = nullptr;
    QModelIndexList m_found;
    int m_current = -1;
};

} // namespace berth::app
