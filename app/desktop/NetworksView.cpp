#include "NetworksView.h"

#include "EngineService.h"
#include "ResourceModels.h"

#include <QPushButton>

namespace berth::app {

NetworksView::NetworksView(EngineService* engine, NetworkModel* model, QWidget* parent)
    : TablePage(model, "networksTable", parent), m_engine(engine), m_model(model)
{
    setObjectName("networksView");
    connect(addButton("networksCreate", tr("Create…"), false), &QPushButton::clicked, this,
            &NetworksView::create);
    connect(addButton("networksRemove", tr("Remove…"), true), &QPushButton::clicked, this,
            &NetworksView::removeSelected);
    addInspectButton("networksInspect", NetworkModel::IdRole, NetworkModel::NameRole);
    addStretch();
    markDestructive({"networksRemove"});
}

void NetworksView::create()
{
    askName("createNetwork", tr("Create network"), tr("Name of the new bridge network:"),
            [this](const QString& name) {
                m_engine->request<std::string>(
                    this,
                    [name = name.toStdString()](engine::Client& client, engine::Callback<std::string> done) {
                        engine::NetworkSpec spec;
                        spec.name = name;
                        return client.createNetwork(spec, std::move(done));
                    },
                    [this](engine::Result<std::string> created) {
                        if (!created)
                            showError(tr("Create network"), QString::fromStdString(created.error().message));
                    });
            });
}

void NetworksView::removeSelected()
{
    const auto id = selected(NetworkModel::IdRole).toString();
    const auto name = selected(NetworkModel::NameRole).toString();
    if (id.isEmpty())
        return;
    if (selected(NetworkModel::BuiltInRole).toBool()) {
        showError(tr("Cannot remove %1").arg(name), tr("%1 is one of the engine's own networks.").arg(name));
        return;
    }
    confirm("confirmRemoveNetwork", tr("Remove network"), tr("Remove the network %1?").arg(name),
            tr("Remove"), [this, id, name] {
                m_engine->act(
                    this,
                    [id = id.toStdString()](engine::Client& client, engine::Done done) {
                        return client.removeNetwork(id, std::move(done));
                    },
                    [this, name](engine::Status status) {
                        if (!status)
                            showError(tr("Cannot remove %1").arg(name),
                                      QString::fromStdString(status.error().message));
                    });
            });
}

} // namespace berth::app
