-- The legacy consumer's table, as `prisma migrate` creates it for the model its Python
-- client reaches as db.order:
--
--   enum OrderStatus { PENDING APPROVED REJECTED DISPATCHED DELIVERED CANCELLED }
--   model Order {
--     id            String        @id @default(uuid())
--     medicationId  String
--     sender_userId String
--     status        OrderStatus[] @default([PENDING])
--     createdAt     DateTime      @default(now())
--     updatedAt     DateTime      @updatedAt
--   }
CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'DISPATCHED', 'DELIVERED', 'CANCELLED');

CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
    "medicationId" TEXT NOT NULL,
    "sender_userId" TEXT NOT NULL,
    "status" "OrderStatus"[] DEFAULT ARRAY['PENDING']::"OrderStatus"[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);
