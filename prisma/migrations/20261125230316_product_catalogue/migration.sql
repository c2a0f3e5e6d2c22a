-- CreateTable
CREATE TABLE "products" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fixed_inputs" (
    "product_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "fixed_inputs_pkey" PRIMARY KEY ("product_id","name")
);

-- CreateTable
CREATE TABLE "product_blocks" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "product_blocks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resource_types" (
    "block_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "required_from" "lifecycle" NOT NULL,
    "choices" JSONB,

    CONSTRAINT "resource_types_pkey" PRIMARY KEY ("block_id","name")
);

-- CreateTable
CREATE TABLE "product_product_blocks" (
    "product_id" UUID NOT NULL,
    "block_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "product_product_blocks_pkey" PRIMARY KEY ("product_id","block_id")
);

-- CreateTable
CREATE TABLE "product_block_relations" (
    "in_use_by_id" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "depends_on_id" UUID NOT NULL,

    CONSTRAINT "product_block_relations_pkey" PRIMARY KEY ("in_use_by_id","field")
);

-- CreateTable
CREATE TABLE "workflows" (
    "name" TEXT NOT NULL,
    "target" "workflow_target" NOT NULL,
    "description" TEXT NOT NULL,

    CONSTRAINT "workflows_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "product_workflows" (
    "product_id" UUID NOT NULL,
    "workflow_name" TEXT NOT NULL,

    CONSTRAINT "product_workflows_pkey" PRIMARY KEY ("product_id","workflow_name")
);

-- CreateIndex
CREATE UNIQUE INDEX "products_name_key" ON "products"("name");

-- CreateIndex
CREATE INDEX "products_type_idx" ON "products"("type");

-- CreateIndex
CREATE INDEX "products_tag_idx" ON "products"("tag");

-- CreateIndex
CREATE UNIQUE INDEX "product_blocks_name_key" ON "product_blocks"("name");

-- AddForeignKey
ALTER TABLE "fixed_inputs" ADD CONSTRAINT "fixed_inputs_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resource_types" ADD CONSTRAINT "resource_types_block_id_fkey" FOREIGN KEY ("block_id") REFERENCES "product_blocks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_product_blocks" ADD CONSTRAINT "product_product_blocks_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_product_blocks" ADD CONSTRAINT "product_product_blocks_block_id_fkey" FOREIGN KEY ("block_id") REFERENCES "product_blocks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_block_relations" ADD CONSTRAINT "product_block_relations_in_use_by_id_fkey" FOREIGN KEY ("in_use_by_id") REFERENCES "product_blocks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_block_relations" ADD CONSTRAINT "product_block_relations_depends_on_id_fkey" FOREIGN KEY ("depends_on_id") REFERENCES "product_blocks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_workflows" ADD CONSTRAINT "product_workflows_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_workflows" ADD CONSTRAINT "product_workflows_workflow_name_fkey" FOREIGN KEY ("workflow_name") REFERENCES "workflows"("name") ON DELETE CASCADE ON UPDATE CASCADE;
