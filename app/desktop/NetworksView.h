#pragma once

#include "TablePage.h"

namespace berth::app {

class EngineService;
class NetworkModel;

// Networks with their subnets and containers; create (a bridge network) and remove.
class NetworksView final : public TablePage
{
    Q_OBJECT

public:
    NetworksView(EngineService* engine, NetworkModel* model, QWidget* parent = nullptr);

private:
    void create();
    void removeSelected();

    EngineService* m_engine;
    NetworkModel* m_model;
};

} // namespace berth::app
